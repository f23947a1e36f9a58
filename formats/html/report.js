/*
 * profview's HTML report: the page's script.  Written for this project, no
 * framework, no network.  It reads the JSON profview embedded in the
 * element with id pv-data (formats/html.c documents the format) and draws the tables and the flame graph from it; it computes
 * nothing the report's views already hold.  Every name from a dump goes into
 * the page through textContent or a title attribute, never as markup.
 */
'use strict';
(function () {
	var D;
	try {
		D = JSON.parse(document.getElementById('pv-data').textContent);
	} catch (e) {
		document.body.textContent = 'profview: the report data could not be read: ' + e.message;
		return;
	}
	var F = D.funcs, FILES = D.files, SCOPES = D.scopes;
	var ROWH = 17, SHOW = 300;
	/* the data's times are integer nanoseconds; the page works in seconds */
	var NS = 1e-9;
	function sec(v) { return v == null ? null : v * NS; }
	D.header.time = sec(D.header.time);
	SCOPES.forEach(function (S) { S.time = sec(S.time); });
	(D.endpoints || []).forEach(function (e) {
		['total', 'mean', 'p50', 'p95', 'max'].forEach(function (k) { e[k] = sec(e[k]); });
		e.durations = (e.durations || []).map(sec);
	});
	if (D.diff) {
		['before', 'after', 'adj_b', 'adj_c'].forEach(function (k) { D.diff[k] = sec(D.diff[k]); });
		D.diff.endpoints.forEach(function (e) {
			['p50_b', 'p50_c', 'p95_b', 'p95_c', 'mean_b', 'mean_c', 'shift'].forEach(function (k) { e[k] = sec(e[k]); });
			var a = e.fns, fns = [];
			for (var i = 0; i + 4 < a.length; i += 5)
				fns.push({ fid: a[i], verdict: D.diff.verdicts[a[i + 1]] || '', base: sec(a[i + 2]), cur: sec(a[i + 3]), p: a[i + 4], endpoint: e.name });
			fns.forEach(function (r) { r.change = r.base != null && r.cur != null ? r.cur - r.base : r.cur != null ? r.cur : r.base != null ? -r.base : null; });
			e.fns = fns;
			e.verdictName = D.diff.verdicts[e.verdict] || '';
		});
	}

	/* ---- helpers ---------------------------------------------------- */

	function $(id) { return document.getElementById(id); }
	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text != null) e.textContent = text;
		return e;
	}
	var SVGNS = 'http://www.w3.org/2000/svg';
	function sv(tag, attrs) {
		var e = document.createElementNS(SVGNS, tag);
		for (var k in attrs) e.setAttribute(k, attrs[k]);
		return e;
	}
	function fixed(v) {
		var a = Math.abs(v);
		return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
	}
	/* times in seconds, shown in the unit that gives 3 significant digits */
	function fmtTime(s) {
		if (s == null) return '';
		if (!isFinite(s)) return String(s);
		var a = Math.abs(s);
		if (a === 0) return '0';
		if (a >= 1) return fixed(s) + ' s';
		if (a >= 1e-3) return fixed(s * 1e3) + ' ms';
		if (a >= 1e-6) return fixed(s * 1e6) + ' \u00b5s';
		return fixed(s * 1e9) + ' ns';
	}
	function fmtSigned(s) { return (s > 0 ? '+' : '') + fmtTime(s); }
	function fmtPct(f) {
		if (f == null || !isFinite(f)) return '';
		var p = f * 100, a = Math.abs(p);
		return (a >= 10 ? p.toFixed(1) : a >= 0.01 || a === 0 ? p.toFixed(2) : p.toExponential(1)) + '%';
	}
	function fmtInt(n) { return n == null ? '' : Number(n).toLocaleString('en-US'); }
	function fmtDate(t) {
		if (t == null) return '';
		var d = new Date(t * 1000);
		return isNaN(d) ? String(t) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
	}
	function fname(fid) { return fid >= 0 && F[fid] ? F[fid][0] : ''; }
	function fpath(fid) {
		var f = F[fid];
		return f ? FILES[f[1]] + ':' + f[2] : '';
	}
	/* a regex from user input, or null and the input marked bad */
	function regexOf(input) {
		var v = input.value;
		input.classList.remove('bad');
		input.title = '';
		if (!v) return null;
		try {
			return new RegExp(v);
		} catch (e) {
			input.classList.add('bad');
			input.title = e.message;
			return undefined;
		}
	}

	/* ---- a sortable table ------------------------------------------- */

	/* cols: {label, title, num, key(r) -> sort value, show(r) -> text or Node,
	 * cls(r), tip(r)}; opts: {sort, dir, id(r), onpick(r)} */
	function Table(host, cols, opts) {
		this.host = host;
		this.cols = cols;
		this.opts = opts || {};
		this.sort = this.opts.sort == null ? -1 : this.opts.sort;
		this.dir = this.opts.dir || -1;
		this.rows = [];
		this.shown = SHOW;
		this.sel = null;
	}
	Table.prototype.set = function (rows) {
		this.rows = rows;
		this.shown = SHOW;
		this.render();
	};
	Table.prototype.sorted = function () {
		if (this.sort < 0) return this.rows;
		var key = this.cols[this.sort].key, d = this.dir;
		var tagged = this.rows.map(function (r, i) { return [key(r), i, r]; });
		tagged.sort(function (a, b) {
			var x = a[0], y = b[0];
			if (x == null || (typeof x === 'number' && isNaN(x))) return y == null ? a[1] - b[1] : 1;
			if (y == null || (typeof y === 'number' && isNaN(y))) return -1;
			return (x < y ? -d : x > y ? d : 0) || a[1] - b[1];
		});
		return tagged.map(function (t) { return t[2]; });
	};
	Table.prototype.render = function () {
		var self = this, opts = this.opts;
		var table = el('table'), thead = el('thead'), htr = el('tr');
		this.cols.forEach(function (c, i) {
			var th = el('th', c.num ? 'num' : '', c.label);
			if (c.title) th.title = c.title;
			if (c.key) {
				th.setAttribute('aria-sort', i === self.sort ? (self.dir < 0 ? 'descending' : 'ascending') : 'none');
				th.addEventListener('click', function () {
					if (self.sort === i) self.dir = -self.dir;
					else {
						self.sort = i;
						self.dir = c.num ? -1 : 1;
					}
					self.render();
				});
			}
			htr.appendChild(th);
		});
		thead.appendChild(htr);
		table.appendChild(thead);
		var rows = this.sorted(), n = Math.min(rows.length, this.shown);
		var tb = el('tbody'), frag = document.createDocumentFragment();
		for (var i = 0; i < n; i++) {
			var r = rows[i], tr = el('tr');
			tr._r = r;
			if (opts.id && this.sel != null && opts.id(r) === this.sel) tr.className = 'sel';
			for (var j = 0; j < this.cols.length; j++) {
				var c = this.cols[j];
				var td = el('td', c.cls ? c.cls(r) : c.num ? 'num' : '');
				var v = c.show(r);
				if (v instanceof Node) td.appendChild(v);
				else td.textContent = v;
				if (c.num && c.key) td.setAttribute('data-v', String(c.key(r)));
				if (c.tip) td.title = c.tip(r);
				tr.appendChild(td);
			}
			frag.appendChild(tr);
		}
		tb.appendChild(frag);
		if (opts.onpick) {
			tb.addEventListener('click', function (ev) {
				var tr = ev.target.closest('tr');
				if (tr && tr._r) opts.onpick(tr._r);
			});
		}
		table.appendChild(tb);
		var parts = [table];
		if (rows.length > n) {
			var more = el('button', 'more', 'Show all ' + fmtInt(rows.length) + ' rows (' + fmtInt(n) + ' shown)');
			more.addEventListener('click', function () {
				self.shown = rows.length;
				self.render();
			});
			parts.push(more);
		}
		this.host.replaceChildren.apply(this.host, parts);
	};
	Table.prototype.select = function (id) {
		this.sel = id;
		var trs = this.host.querySelectorAll('tbody tr'), opts = this.opts;
		for (var i = 0; i < trs.length; i++)
			trs[i].classList.toggle('sel', opts.id(trs[i]._r) === id);
	};

	function fnCell(fid) {
		var s = el('span', null, fname(fid));
		s.title = fpath(fid);
		return s;
	}
	function fnCol(get, label) {
		return {
			label: label || 'function', key: function (r) { return fname(get(r)); },
			show: function (r) { return fname(get(r)); }, cls: function () { return 'fn'; },
			tip: function (r) { return fpath(get(r)) + '\n' + fname(get(r)); },
		};
	}
	function numCol(label, get, fmt, title) {
		return { label: label, num: true, key: get, title: title,
			show: function (r) { return (fmt || fmtTime)(get(r)); } };
	}
	function calls(nc, cc) { return nc === cc ? fmtInt(nc) : fmtInt(nc) + '/' + fmtInt(cc); }

	/* ---- state ------------------------------------------------------ */

	var state = { scope: 0, fid: -1, mode: 'flame', zoom: -1 };

	function scope() { return SCOPES[state.scope]; }
	/* a scope's rows as objects, and its edges by callee and by caller */
	function rowsOf(S) {
		if (S._rows) return S._rows;
		var a = S.rows, out = [], byFid = new Map();
		for (var i = 0; i + 4 < a.length; i += 5) {
			var r = { fid: a[i], cc: a[i + 1], nc: a[i + 2], tt: sec(a[i + 3]), ct: sec(a[i + 4]) };
			out.push(r);
			byFid.set(r.fid, r);
		}
		S._rows = out;
		S._byFid = byFid;
		return out;
	}
	function edgesOf(S) {
		if (S._callers) return S;
		var e = S.edges, callers = new Map(), callees = new Map();
		for (var i = 0; i + 5 < e.length; i += 6) {
			var r = { caller: e[i], callee: e[i + 1], nc: e[i + 2], cc: e[i + 3], tt: sec(e[i + 4]), ct: sec(e[i + 5]) };
			if (!callers.has(r.callee)) callers.set(r.callee, []);
			callers.get(r.callee).push(r);
			if (!callees.has(r.caller)) callees.set(r.caller, []);
			callees.get(r.caller).push(r);
		}
		S._callers = callers;
		S._callees = callees;
		return S;
	}

	/* ---- header ----------------------------------------------------- */

	function header() {
		var H = D.header, dl = $('facts');
		document.title = 'profview: ' + H.read;
		function fact(k, v, title) {
			if (v == null || v === '') return;
			var dt = el('dt', null, k), dd = el('dd', null, v);
			if (title) dd.title = title;
			dl.appendChild(dt);
			dl.appendChild(dd);
		}
		fact('Read', H.read);
		fact('Profiles', fmtInt(H.profiles));
		if (H.endpoints) fact('Endpoints', fmtInt(H.endpoints));
		if (H.endpoints && H.unnamed) fact('Profiles without request names', fmtInt(H.unnamed), 'counted in every total, in no endpoint');
		if (H.from != null) fact('Time range', fmtDate(H.from) + ' \u2013 ' + fmtDate(H.to), 'from the request names');
		fact('Total calls', H.prim_calls != null && H.prim_calls !== H.calls ?
			fmtInt(H.calls) + ' (' + fmtInt(H.prim_calls) + ' primitive)' : fmtInt(H.calls));
		fact('Total time', fmtTime(H.time));
		if (H.estimated != null)
			fact('Estimated share of the flame graph', fmtPct(H.estimated),
				'pstats keeps caller\u2192callee totals, not stacks: below a function with several callers the split is an estimate');
		if (D.diff) fact('Compared with', D.diff.base);
		var sk = H.skipped || [];
		if (sk.length) {
			var box = $('skipped');
			box.appendChild(el('p', 'err', sk.length + ' input' + (sk.length > 1 ? 's' : '') + ' skipped:'));
			var ul = el('ul', 'skipped');
			sk.forEach(function (m) { ul.appendChild(el('li', null, m)); });
			box.appendChild(ul);
		}
	}

	function showScope() {
		var S = scope(), box = $('scope');
		box.replaceChildren();
		box.appendChild(document.createTextNode('Scope: ' + S.name + ' (' + fmtInt(S.profiles) + ' profile' + (S.profiles === 1 ? '' : 's') + ', ' + fmtTime(S.time) + ')'));
		if (state.scope !== 0) {
			var b = el('button', null, 'All profiles');
			b.id = 'scope-all';
			b.style.marginLeft = '1em';
			b.addEventListener('click', function () { setScope(0); });
			box.appendChild(b);
		}
	}

	function setScope(i) {
		if (!SCOPES[i]) return;
		state.scope = i;
		state.zoom = -1;
		showScope();
		if (endpoints) endpoints.select(i);
		functionsTable();
		sandwich();
		drawFlame();
		diffScope();
	}

	/* ---- endpoints -------------------------------------------------- */

	var endpoints = null;

	function histogram(E, lo, hi) {
		var NB = 24, W = 120, H = 22, bins = new Array(NB).fill(0), d = E.durations || [];
		var llo = Math.log(lo), span = Math.log(hi) - llo || 1;
		d.forEach(function (x) {
			var b = x > 0 ? Math.floor((Math.log(x) - llo) / span * NB) : 0;
			bins[Math.max(0, Math.min(NB - 1, b))]++;
		});
		var top = Math.max.apply(null, bins) || 1, svg = sv('svg', { class: 'hist', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
		var t = sv('title', {});
		t.textContent = d.length + ' requests, ' + fmtTime(lo) + ' to ' + fmtTime(hi) + ' (log scale)';
		svg.appendChild(t);
		svg.appendChild(sv('rect', { class: 'bg', x: 0, y: 0, width: W, height: H }));
		for (var b = 0; b < NB; b++) {
			if (!bins[b]) continue;
			var h = Math.max(1, bins[b] / top * (H - 2));
			var r = sv('rect', { x: b * W / NB, y: H - h, width: W / NB - 1, height: h });
			var rt = sv('title', {});
			rt.textContent = bins[b] + ' requests from ' + fmtTime(Math.exp(llo + span * b / NB)) + ' to ' + fmtTime(Math.exp(llo + span * (b + 1) / NB));
			r.appendChild(rt);
			svg.appendChild(r);
		}
		return svg;
	}

	function endpointsTable() {
		var E = D.endpoints || [];
		if (!E.length) return;
		$('endpoints-sec').hidden = false;
		var lo = Infinity, hi = 0;
		E.forEach(function (e) {
			(e.durations || []).forEach(function (x) {
				if (x > 0 && x < lo) lo = x;
				if (x > hi) hi = x;
			});
		});
		if (!(lo < Infinity)) lo = hi = 1e-3;
		if (hi <= lo) hi = lo * 10;
		endpoints = new Table($('endpoints'), [
			{ label: 'endpoint', key: function (e) { return e.name; }, show: function (e) { return e.name; }, cls: function () { return 'fn'; } },
			numCol('profiles', function (e) { return e.profiles; }, fmtInt),
			numCol('total', function (e) { return e.total; }),
			numCol('mean', function (e) { return e.mean; }),
			numCol('p50', function (e) { return e.p50; }),
			numCol('p95', function (e) { return e.p95; }),
			numCol('max', function (e) { return e.max; }),
			numCol('calls', function (e) { return e.calls; }, fmtInt),
			fnCol(function (e) { return e.top; }, 'top function'),
			{ label: 'latency', title: 'request durations, log scale, the same axis for every endpoint', show: function (e) { return histogram(e, lo, hi); }, cls: function () { return 'hist'; } },
		], { sort: 2, dir: -1, id: function (e) { return e.scope; }, onpick: function (e) {
			if (e.scope > 0) setScope(state.scope === e.scope ? 0 : e.scope);
			else $('endpoints-note').textContent = 'The page holds the profiles of the ' + (SCOPES.length - 1) + ' endpoints with the most request time; ' + e.name + ' is not among them.';
		} });
		endpoints.set(E);
	}

	/* ---- functions -------------------------------------------------- */

	var functions = null;

	function functionsTable() {
		if (!functions) {
			functions = new Table($('functions'), [
				{ label: 'ncalls', num: true, title: 'calls (total/primitive when they differ)', key: function (r) { return r.nc; }, show: function (r) { return calls(r.nc, r.cc); } },
				numCol('tottime', function (r) { return r.tt; }, null, 'time in the function itself'),
				numCol('percall', function (r) { return r.nc ? r.tt / r.nc : 0; }, null, 'tottime / ncalls'),
				numCol('cumtime', function (r) { return r.ct; }, null, 'time in the function and what it called'),
				numCol('percall', function (r) { return r.cc ? r.ct / r.cc : 0; }, null, 'cumtime / primitive calls'),
				numCol('% of total', function (r) { return scope().time ? r.tt / scope().time : 0; }, fmtPct, 'tottime as a share of the scope\'s total time'),
				numCol('cum %', function (r) { return scope().time ? r.ct / scope().time : 0; }, fmtPct, 'cumtime as a share of the scope\'s total time'),
				fnCol(function (r) { return r.fid; }),
			], { sort: 1, dir: -1, id: function (r) { return r.fid; }, onpick: function (r) { select(r.fid); } });
		}
		functions.sel = state.fid;
		filterFunctions();
	}

	function filterFunctions() {
		var rows = rowsOf(scope()), re = regexOf($('filter'));
		if (re === undefined) return;
		var shown = re ? rows.filter(function (r) { return re.test(fname(r.fid)); }) : rows;
		$('fn-count').textContent = re ? shown.length + ' of ' + rows.length + ' functions match' : rows.length + ' functions';
		functions.set(shown);
	}

	/* ---- callers and callees ---------------------------------------- */

	function select(fid) {
		state.fid = fid;
		if (functions) functions.select(fid);
		sandwich();
		markFlame();
	}

	function edgeTable(list, other, label) {
		var host = el('div', 'tablewrap');
		var t = new Table(host, [
			{ label: 'ncalls', num: true, key: function (r) { return r.nc; }, show: function (r) { return calls(r.nc, r.cc); } },
			numCol('tottime', function (r) { return r.tt; }),
			numCol('cumtime', function (r) { return r.ct; }),
			fnCol(function (r) { return r[other]; }, label),
		], { sort: 2, dir: -1, id: function (r) { return r[other]; }, onpick: function (r) { select(r[other]); } });
		t.set(list);
		return host;
	}

	function sandwich() {
		var box = $('sandwich'), fid = state.fid;
		box.replaceChildren();
		$('sandwich-hint').hidden = fid >= 0;
		if (fid < 0) return;
		var S = edgesOf(scope());
		rowsOf(S);
		var me = S._byFid.get(fid);
		var head = el('div', 'self', fname(fid));
		head.id = 'sandwich-self';
		head.title = fpath(fid);
		box.appendChild(head);
		if (!me) {
			box.appendChild(el('p', 'muted', 'This function does not appear in the profiles of this scope.'));
			return;
		}
		box.appendChild(el('p', 'muted', calls(me.nc, me.cc) + ' calls, tottime ' + fmtTime(me.tt) + ', cumtime ' + fmtTime(me.ct) + ' \u2014 ' + fpath(fid)));
		var up = S._callers.get(fid) || [], down = S._callees.get(fid) || [];
		var h = el('h3', null, 'Callers (' + up.length + ')');
		h.title = 'who called it, with the numbers of each call edge (pstats print_callers)';
		box.appendChild(h);
		var ct = edgeTable(up, 'caller', 'caller');
		ct.id = 'callers';
		box.appendChild(ct);
		h = el('h3', null, 'Callees (' + down.length + ')');
		h.title = 'what it called, with the numbers of each call edge (pstats print_callees)';
		box.appendChild(h);
		var ce = edgeTable(down, 'callee', 'callee');
		ce.id = 'callees';
		box.appendChild(ce);
	}

	/* ---- flame graph, icicle, bottom-up ------------------------------ */

	/* Frames come parent first; a child's x is where its parent's previous
	 * child ended (the tree's own order, widths exact). */
	function layout(T) {
		if (T._x) return T;
		var n = T.fn.length, x = new Float64Array(n), next = new Float64Array(n), depth = new Int32Array(n);
		var rootEnd = 0;
		for (var i = 0; i < n; i++) {
			var p = T.parent[i];
			if (p < 0) {
				x[i] = rootEnd;
				rootEnd += T.w[i];
			} else {
				x[i] = next[p];
				next[p] += T.w[i];
				depth[i] = depth[p] + 1;
			}
			next[i] = x[i];
		}
		T._x = x;
		T._depth = depth;
		T._total = rootEnd;
		return T;
	}
	function frameName(T, i) {
		var f = T.fn[i];
		return f >= 0 ? fname(f) : T.labels[-f - 1];
	}
	/* The SVG export's colours (formats/svg.c): FNV-1a of the name's UTF-8
	 * picks the shade; exact frames warm, estimated aqua, recursive purple,
	 * merged grey, the root and endpoint frames pale. */
	var utf8 = new TextEncoder(), shades = new Map();
	function colour(T, i) {
		var fl = T.flags[i], name = frameName(T, i), key = fl + '\u0000' + name, c = shades.get(key);
		if (c) return c;
		var b = utf8.encode(name), h = 2166136261;
		for (var k = 0; k < b.length; k++) h = Math.imul(h ^ b[k], 16777619) >>> 0;
		var v1 = (h & 0xff) / 255, v2 = ((h >>> 8) & 0xff) / 255, rgb;
		if (fl & 4) rgb = [190, 190, 190];
		else if (fl & 2) rgb = [185 + Math.floor(30 * v1), 140, 230];
		else if (fl & 1) rgb = [50 + Math.floor(60 * v1), 165 + Math.floor(55 * v1), 165 + Math.floor(55 * v2)];
		else if (T.fn[i] < 0) rgb = [225, 225, 200];
		else rgb = [205 + Math.floor(50 * v2), Math.floor(230 * v1), Math.floor(55 * v2)];
		c = 'rgb(' + rgb.join(',') + ')';
		shades.set(key, c);
		return c;
	}
	function treeNow() {
		var S = scope();
		return state.mode === 'inverted' ? S.inv : S.tree;
	}

	var searchRe = null;

	function drawFlame() {
		var host = $('flame'), T = treeNow();
		host.replaceChildren();
		$('flame-none').hidden = !!T;
		host.hidden = !T;
		if (!T) {
			$('flame-info').textContent = '';
			return;
		}
		layout(T);
		var n = T.fn.length, x = T._x, w = T.w, par = T.parent, depth = T._depth;
		var z = state.zoom >= 0 && state.zoom < n ? state.zoom : -1;
		var zx = z >= 0 ? x[z] : 0, zw = z >= 0 ? w[z] : T._total;
		if (!(zw > 0)) zw = T._total || 1;
		var W = host.clientWidth || 1000, minw = zw / W;
		var anc = new Uint8Array(n), inZ = new Uint8Array(n);
		for (var a = z; a >= 0; a = par[a]) anc[a] = 1;
		var drawn = [], maxd = 0;
		for (var i = 0; i < n; i++) {
			var p = par[i];
			inZ[i] = z < 0 || i === z || (p >= 0 && inZ[p]) ? 1 : 0;
			if (!inZ[i] && !anc[i]) continue;
			if (inZ[i] && w[i] < minw) continue;
			drawn.push(i);
			if (depth[i] > maxd) maxd = depth[i];
		}
		var frag = document.createDocumentFragment(), total = T._total || 1, flameUp = state.mode === 'flame';
		for (var k = 0; k < drawn.length; k++) {
			i = drawn[k];
			var left = anc[i] && i !== z ? 0 : (x[i] - zx) / zw, width = anc[i] ? 1 : w[i] / zw;
			var d = document.createElement('div'), name = frameName(T, i), fl = T.flags[i];
			d.className = 'fr' + (fl & 1 ? ' est' : '') + (fl & 2 ? ' rec' : '') + (fl & 4 ? ' mrg' : '') + (anc[i] && i !== z ? ' anc' : '');
			d.style.left = (left * 100) + '%';
			d.style.width = (width * 100) + '%';
			d.style.top = ((flameUp ? maxd - depth[i] : depth[i]) * ROWH) + 'px';
			d.style.backgroundColor = colour(T, i);
			d.setAttribute('data-i', i);
			if (T.fn[i] >= 0) d.setAttribute('data-f', T.fn[i]);
			if (width * W > 30) d.textContent = name;
			var pw = par[i] >= 0 ? w[par[i]] : total, tick = T.tick || 1;
			d.title = name + '\n' + fmtTime(w[i] * tick) + ', ' + fmtPct(w[i] / total) + ' of total, ' + fmtPct(pw ? w[i] / pw : 1) + ' of parent' +
				(T.self ? ', self ' + fmtTime(T.self[i] * tick) : '') + (T.calls && T.calls[i] != null ? ', ' + fmtInt(T.calls[i]) + ' calls' : '') + '\n' +
				(fl & 4 ? 'frames too small to draw, merged' : fl & 1 ? 'estimated: a function on this path has several callers' : 'exact') +
				(fl & 2 ? '; recursion folded here' : '') + (T.fn[i] >= 0 ? '\n' + fpath(T.fn[i]) : '');
			frag.appendChild(d);
		}
		host.style.height = ((maxd + 1) * ROWH + 2) + 'px';
		host.appendChild(frag);
		$('flame-info').textContent = fmtInt(n) + ' frames, ' + fmtInt(drawn.length) + ' drawn' + (z >= 0 ? '; zoomed to ' + frameName(T, z) : '') +
			(T._total ? '' : ' (the profile records no time to draw)');
		markFlame();
	}

	/* search and selection marks, without redrawing */
	function markFlame() {
		var T = treeNow(), host = $('flame');
		if (!T || !T._x) return;
		var n = T.fn.length, par = T.parent, re = searchRe, fid = state.fid;
		var hit = re ? new Uint8Array(n) : null, under = re ? new Uint8Array(n) : null, sum = 0;
		if (re) {
			var cache = new Map();
			for (var i = 0; i < n; i++) {
				var f = T.fn[i], m = cache.get(f);
				if (m === undefined) {
					m = re.test(frameName(T, i));
					cache.set(f, m);
				}
				hit[i] = m ? 1 : 0;
				var p = par[i];
				under[i] = p >= 0 && (under[p] || hit[p]) ? 1 : 0;
				if (hit[i] && !under[i]) sum += T.w[i];
			}
			$('matched').textContent = 'Matched: ' + fmtPct(sum / (T._total || 1));
		} else {
			$('matched').textContent = '';
		}
		var divs = host.children;
		for (var k = 0; k < divs.length; k++) {
			var j = +divs[k].getAttribute('data-i');
			divs[k].classList.toggle('hit', !!(hit && hit[j]));
			divs[k].classList.toggle('sel', fid >= 0 && T.fn[j] === fid);
		}
	}

	function setMode(m) {
		state.mode = m;
		state.zoom = -1;
		['flame', 'icicle', 'inverted'].forEach(function (k) { $('mode-' + k).classList.toggle('on', k === m); });
		$('flame-sec').querySelector('h2').textContent = m === 'flame' ? 'Flame graph' : m === 'icicle' ? 'Icicle' : 'Bottom-up (functions by self time, their callers above)';
		drawFlame();
	}

	/* ---- diff ----------------------------------------------------- */

	/* The per-endpoint comparison the text and JSON outputs print (verdicts
	 * from lib/diffep.c: a change beyond the threshold that the Holm-
	 * corrected Mann-Whitney test also finds), scoped like the rest of the
	 * page: an endpoint's scope shows its comparison and its part of the
	 * differential flame graph. */
	function changeCls(v) { return v > 0 ? 'num up' : v < 0 ? 'num down' : 'num'; }
	function verdictCls(v) { return 'verdict v-' + v; }
	function fmtP(p) { return p == null || !isFinite(p) ? '' : p < 1e-3 ? p.toExponential(1) : p.toPrecision(2); }
	function fmtRel(b, c) {
		if (b == null || c == null || !b) return '';
		var r = (c - b) / b;
		return (r > 0 ? '+' : '') + fmtPct(r);
	}

	var diffEndpoints = null, diffFunctions = null;
	/* the widths the differential flame graph has now: "current" or
	 * "base" (--diff-widths chooses the first; the toggle switches) */
	var diffWidths = null;

	function diffTree() {
		return diffWidths === D.diff.widths ? D.diff.flame : D.diff.flame_other;
	}

	function setDiffWidths(w) {
		diffWidths = w;
		['current', 'base'].forEach(function (k) { $('diff-w-' + k).classList.toggle('on', k === w); });
		drawDiffFlame(diffEndpoint());
	}

	/* the diff's endpoint of the page's scope, or null (all profiles) */
	function diffEndpoint() {
		var X = D.diff;
		if (X.one_group) return X.endpoints[0] || null;
		if (state.scope === 0) return null;
		var name = scope().name;
		for (var i = 0; i < X.endpoints.length; i++)
			if (X.endpoints[i].name === name) return X.endpoints[i];
		return null;
	}

	function diffSection() {
		var X = D.diff;
		if (!X) return;
		$('diff-sec').hidden = false;
		var adj = X.adjusted, un = X.unadjusted;
		$('diff-overall').textContent = 'Mean request time ' + fmtTime(X.before) + ' in ' + X.base + ' (' + fmtInt(X.nbase) + ' requests), ' +
			fmtTime(X.after) + ' in ' + X.cur + ' (' + fmtInt(X.ncur) + ' requests).  Overall, mix-adjusted: ' +
			(adj != null && isFinite(adj) ? (adj > 0 ? '+' : '') + fmtPct(adj) : 'n/a') +
			(un != null && isFinite(un) ? '; unadjusted ' + (un > 0 ? '+' : '') + fmtPct(un) : '') +
			(X.mix != null && isFinite(X.mix) ? '; traffic mix alone ' + (X.mix > 0 ? '+' : '') + fmtPct(X.mix) : '') + '.';
		diffEndpoints = new Table($('diff-endpoints'), [
			{ label: 'endpoint', key: function (e) { return e.name; }, show: function (e) { return e.name; }, cls: function () { return 'fn'; } },
			{ label: 'verdict', key: function (e) { return e.verdict; }, show: function (e) { return e.verdictName; }, cls: function (e) { return verdictCls(e.verdictName); },
				title: 'slower/faster: a change beyond ' + fmtPct(X.threshold) + ' that the Mann-Whitney U test (Holm-corrected) finds, p < ' + X.alpha },
			numCol('before', function (e) { return e.nb; }, fmtInt, 'requests in the base'),
			numCol('after', function (e) { return e.nc; }, fmtInt, 'requests now'),
			numCol('p50 before', function (e) { return e.p50_b; }),
			numCol('p50 after', function (e) { return e.p50_c; }),
			{ label: 'p50 change', num: true, key: function (e) { return e.p50_b ? (e.p50_c - e.p50_b) / e.p50_b : null; }, show: function (e) { return fmtRel(e.p50_b, e.p50_c); }, cls: function (e) { return changeCls(e.p50_c - e.p50_b); } },
			numCol('p95 before', function (e) { return e.p95_b; }),
			numCol('p95 after', function (e) { return e.p95_c; }),
			numCol('mean before', function (e) { return e.mean_b; }),
			numCol('mean after', function (e) { return e.mean_c; }),
			numCol('p', function (e) { return e.p; }, fmtP, 'Holm-corrected p of the Mann-Whitney U test'),
		], { id: function (e) { return e.name; }, onpick: function (e) {
			for (var i = 1; i < SCOPES.length; i++)
				if (SCOPES[i].name === e.name) return setScope(state.scope === i ? 0 : i);
		} });
		diffEndpoints.set(X.endpoints);
		diffFunctions = new Table($('diff-functions'), [
			{ label: 'endpoint', key: function (r) { return r.endpoint; }, show: function (r) { return r.endpoint; }, cls: function () { return 'fn'; } },
			{ label: 'verdict', key: function (r) { return r.verdict; }, show: function (r) { return r.verdict; }, cls: function (r) { return verdictCls(r.verdict); } },
			numCol('before', function (r) { return r.base; }, null, 'internal time per request in the base'),
			numCol('after', function (r) { return r.cur; }, null, 'internal time per request now'),
			{ label: 'change', num: true, key: function (r) { return r.change == null ? null : Math.abs(r.change); }, title: 'sorted by absolute change', show: function (r) { return r.change == null ? '' : fmtSigned(r.change); }, cls: function (r) { return changeCls(r.change); } },
			{ label: 'change %', num: true, key: function (r) { return r.base ? (r.cur - r.base) / r.base : null; }, show: function (r) { return r.base == null ? 'new' : r.cur == null ? 'gone' : fmtRel(r.base, r.cur); }, cls: function (r) { return changeCls(r.change); } },
			numCol('p', function (r) { return r.p; }, fmtP, 'Holm-corrected p (empty: under the floor, not tested)'),
			fnCol(function (r) { return r.fid; }),
		], { sort: 4, dir: -1, id: function (r) { return r.fid; }, onpick: function (r) { select(r.fid); } });
		$('diff-filter').addEventListener('input', diffScope);
		$('diff-flame').addEventListener('click', function (ev) {
			var d = ev.target.closest('.fr');
			if (d && d.hasAttribute('data-f')) select(+d.getAttribute('data-f'));
		});
		['current', 'base'].forEach(function (k) {
			$('diff-w-' + k).addEventListener('click', function () { setDiffWidths(k); });
		});
		diffWidths = X.widths === 'base' ? 'base' : 'current';
		$('diff-w-current').classList.toggle('on', diffWidths === 'current');
		$('diff-w-base').classList.toggle('on', diffWidths === 'base');
		diffScope();
	}

	/* the diff section for the page's scope */
	function diffScope() {
		var X = D.diff;
		if (!X) return;
		var E = diffEndpoint();
		diffEndpoints.select(E ? E.name : null);
		var v = $('diff-verdict');
		v.replaceChildren();
		if (E) {
			v.appendChild(document.createTextNode(E.name + ': '));
			v.appendChild(el('span', verdictCls(E.verdictName), E.verdictName));
			v.appendChild(document.createTextNode(', p50 ' + fmtTime(E.p50_b) + ' \u2192 ' + fmtTime(E.p50_c) + ' (' + fmtRel(E.p50_b, E.p50_c) + ')' +
				', p95 ' + fmtTime(E.p95_b) + ' \u2192 ' + fmtTime(E.p95_c) + ', mean ' + fmtTime(E.mean_b) + ' \u2192 ' + fmtTime(E.mean_c) +
				(E.p != null && isFinite(E.p) ? ', p = ' + fmtP(E.p) : '') + '; ' + fmtInt(E.nchanged) + ' of ' + fmtInt(E.nfn) + ' functions changed.'));
		} else {
			var n = X.endpoints.filter(function (e) { return e.verdict !== 0; }).length;
			v.textContent = state.scope === 0 ? n + ' of ' + X.endpoints.length + ' endpoints changed; choose one to scope the page to it.' :
				'No comparison for ' + scope().name + '.';
		}
		var rows = [];
		(E ? [E] : X.endpoints).forEach(function (e) { rows = rows.concat(e.fns); });
		var re = regexOf($('diff-filter'));
		if (re !== undefined) {
			var shown = re ? rows.filter(function (r) { return re.test(fname(r.fid)); }) : rows;
			$('diff-count').textContent = re ? shown.length + ' of ' + rows.length + ' functions match' : rows.length + ' functions';
			diffFunctions.set(shown);
		}
		drawDiffFlame(E);
	}

	/* The -f svg --diff colours (formats/svg.c: diff_colour): red where
	 * the self time per request grew, blue where it shrank, by the change
	 * over the largest change in the graph. */
	function diffColour(before, after, maxd) {
		var k = maxd > 0 ? (after - before) / maxd : 0;
		k = Math.max(-1, Math.min(1, k));
		var fade = 235 - Math.trunc(190 * Math.abs(k));
		return k > 0 ? 'rgb(255,' + fade + ',' + fade + ')' : k < 0 ? 'rgb(' + fade + ',' + fade + ',255)' : 'rgb(235,235,235)';
	}

	/* the tree of the widths chosen; an endpoint's scope shows its frame */
	function drawDiffFlame(E) {
		var host = $('diff-flame'), T = diffTree();
		host.replaceChildren();
		$('diff-flame-sec').hidden = !T;
		if (!T) return;
		layout(T);
		var n = T.fn.length, x = T._x, w = T.w, par = T.parent, depth = T._depth, z = -1;
		if (E && !D.diff.one_group)
			for (var i = 0; i < n; i++)
				if (T.fn[i] < 0 && depth[i] === 1 && T.labels[-T.fn[i] - 1] === E.name) { z = i; break; }
		var maxd = 0, inZ = new Uint8Array(n), drawn = [], top = 0;
		for (i = 0; i < n; i++) {
			var dl = Math.abs(T.after[i] - T.before[i]);
			if (dl > maxd) maxd = dl;
		}
		var zx = z >= 0 ? x[z] : 0, zw = z >= 0 ? w[z] : T._total, W = host.clientWidth || 1000;
		if (!(zw > 0)) zw = 1;
		for (i = 0; i < n; i++) {
			inZ[i] = z < 0 || i === z || (par[i] >= 0 && inZ[par[i]]) ? 1 : 0;
			if (!inZ[i] || w[i] < zw / W) continue;
			drawn.push(i);
			if (depth[i] > top) top = depth[i];
		}
		var d0 = z >= 0 ? depth[z] : 0, frag = document.createDocumentFragment();
		for (var k = 0; k < drawn.length; k++) {
			i = drawn[k];
			var d = document.createElement('div'), name = frameName(T, i), fl = T.flags[i];
			var b = T.before[i] || 0, a = T.after[i] || 0, width = w[i] / zw;
			d.className = 'fr' + (fl & 1 ? ' dest' : '');
			d.style.left = ((x[i] - zx) / zw * 100) + '%';
			d.style.width = (width * 100) + '%';
			d.style.top = ((top - depth[i]) * ROWH) + 'px';
			d.style.backgroundColor = diffColour(b, a, maxd);
			d.setAttribute('data-i', i);
			d.setAttribute('data-before', b);
			d.setAttribute('data-after', a);
			if (T.fn[i] >= 0) d.setAttribute('data-f', T.fn[i]);
			if (width * W > 30) d.textContent = name;
			d.title = name + '\nself per request: before ' + fmtTime(b * NS) + ', after ' + fmtTime(a * NS) +
				(T.matched[i] ? '' : diffWidths === 'base' ? ' (gone)' : ' (new)') + '\n' + (fl & 1 ? 'estimated: a function on this path has several callers' : 'exact') +
				(T.fn[i] >= 0 ? '\n' + fpath(T.fn[i]) : '');
			frag.appendChild(d);
		}
		host.style.height = ((top - d0 + 1) * ROWH + 2) + 'px';
		host.appendChild(frag);
		$('diff-flame-info').textContent = (z >= 0 ? 'Endpoint ' + E.name + ': ' : '') + fmtInt(drawn.length) + ' frames drawn, widths from the ' + (diffWidths === 'base' ? 'base: code the change removed shows' : 'current set');
	}

	/* ---- wiring ----------------------------------------------------- */

	header();
	showScope();
	endpointsTable();
	diffSection();
	functionsTable();
	sandwich();
	drawFlame();

	$('filter').addEventListener('input', filterFunctions);
	$('search').addEventListener('input', function () {
		var re = regexOf($('search'));
		searchRe = re || null;
		markFlame();
	});
	$('flame').addEventListener('click', function (ev) {
		var d = ev.target.closest('.fr');
		if (!d) return;
		var i = +d.getAttribute('data-i'), T = treeNow();
		state.zoom = i === state.zoom ? -1 : i;
		drawFlame();
		if (T.fn[i] >= 0) select(T.fn[i]);
	});
	$('reset').addEventListener('click', function () {
		state.zoom = -1;
		drawFlame();
	});
	['flame', 'icicle', 'inverted'].forEach(function (m) {
		$('mode-' + m).addEventListener('click', function () { setMode(m); });
	});
	var lastW = 0;
	window.addEventListener('resize', function () {
		var w = $('flame').clientWidth;
		if (w !== lastW) {
			lastW = w;
			drawFlame();
		}
	});
	/* tables and graph are drawn: tests and bench/html.sh read this mark */
	if (window.performance && performance.mark) performance.mark('pv-ready');
	document.body.setAttribute('data-ready', '1');
})();
