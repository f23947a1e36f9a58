# profview - GNU Makefile.
#   make          build ./profview
#   make demo     install what is missing, build, and run on the sample dump
#   make check    the edit loop: unit tests, the oracle, CLI goldens and the other
#                 suites that need nothing beyond the build (no package installs)
#   make test     the full suite (installs what the tests need first)
#   make deps     install the Debian packages the build and tests need (as root)

CC      ?= cc
PKGS    := libarchive libpcre2-32
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wformat=2 -Wno-format-nonliteral
ifdef WERROR
WARN    += -Werror
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libarchive is not linked: formats/archive.c loads it when an archive is met
PKG_LIBS   = $(shell pkg-config --libs libpcre2-32 2>/dev/null) -lz -ldl -pthread
# the terminal browser (tui/) only: the library does not link it
TUI_LIBS   = $(shell pkg-config --libs ncursesw 2>/dev/null)
TUI_CFLAGS = $(shell pkg-config --cflags ncursesw 2>/dev/null)
CPPFLAGS += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
ALL_CFLAGS = $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(CPPFLAGS)

BUILD   ?= build
LIB_SRC := $(wildcard lib/*.c) $(wildcard formats/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/*.c))
# tui/: the browser; state.c and cells.c need no terminal (unit-tested)
TUI_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tui/*.c))
TUI_CORE := $(BUILD)/tui/state.o $(BUILD)/tui/cells.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
PYTHON  ?= python3

# Debian packages.  DEMO_PKGS: what building and `make demo` need (make demo
# installs only these).  DEB_PKGS and TEST_PKGS: everything the tests need
# besides (make deps and make test install them; one TEST_PKGS line per need).
DEMO_PKGS := build-essential pkg-config libarchive-dev libpcre2-dev zlib1g-dev libncurses-dev
DEB_PKGS := build-essential pkg-config libarchive-dev libpcre2-dev zlib1g-dev libncurses-dev libcmocka-dev python3 \
            valgrind graphviz zip xz-utils zstd bzip2 libarchive-tools \
            man-db groff-base zsh bash-completion util-linux
TEST_PKGS += python3-jsonschema clang-format
TEST_PKGS += chromium chromium-driver python3-selenium libxml2-utils
# npm for `make visual` (speedscope); NodeSource's nodejs ships its own npm
TEST_PKGS += $(if $(shell command -v npm 2>/dev/null),,npm)
# tests/hostile: pgrep (procps); setpriv and mount come with util-linux
TEST_PKGS += procps
# tests/hostile: a 7z archive made by 7-Zip (7zz)
TEST_PKGS += 7zip
TEST_PKGS += strace
# make pprof: go tool pprof reads -f pprof (Debian's golang-go runs it offline)
TEST_PKGS += golang-go
# make tui: the browser driven through tmux (send-keys, capture-pane)
TEST_PKGS += tmux

.PHONY: all deps demo-deps readme demo check test unit oracle cli requests export live formats visual html \
	scale hostile pprof dtoa diff valgrind clean format format-check sanitize bench bench-deps
all: profview

profview: $(BUILD)/libprofview.a $(CMD_OBJ) $(TUI_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) $(TUI_OBJ) $(BUILD)/libprofview.a $(PKG_LIBS) $(TUI_LIBS) -lm

# The HTML report's page (formats/html/): style, script and template put
# together, with the Content-Security-Policy hashes, into a C array.
HTML_ASSETS := formats/html/report.html formats/html/report.css formats/html/report.js
$(BUILD)/html_page.h: formats/html/embed.sh $(HTML_ASSETS)
	@mkdir -p $(dir $@)
	bash formats/html/embed.sh $@ $(HTML_ASSETS)
$(BUILD)/formats/html.o: $(BUILD)/html_page.h
$(BUILD)/formats/html.o: ALL_CFLAGS += -I$(BUILD)

$(BUILD)/libprofview.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# -MMD: every header an object includes (formats/out.h too) is a dependency
$(BUILD)/%.o: %.c lib/pv.h lib/util.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(TUI_OBJ:.o=.d)
$(TUI_OBJ): ALL_CFLAGS += $(TUI_CFLAGS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libprofview.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(BUILD)/libprofview.a \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) -lm

# the browser's state without a terminal
$(BUILD)/tests/test_tui_state: tests/unit/test_tui_state.c $(BUILD)/libprofview.a $(TUI_CORE) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(TUI_CORE) $(BUILD)/libprofview.a \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) -lm

# $(call install,PACKAGES): apt-get install those not installed yet
define install
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call install,$(DEMO_PKGS) $(DEB_PKGS) $(TEST_PKGS))

demo-deps:
	$(call install,$(DEMO_PKGS))

# make bench: the corpus is the sample Flask app (Debian's python3), GNU time
# reads peak RSS, the archive rows need bsdtar, zstd and zip.
BENCH_PKGS := python3-flask time libarchive-tools zstd zip
bench-deps:
	$(call install,$(DEMO_PKGS) $(BENCH_PKGS))

# The README's output sample is exactly what this prints (tests/readme/).
DEMO_CMD := ./profview testdata/flask --short-paths --unit ms --sort tottime --limit 12
demo: demo-deps
	$(MAKE) profview
	$(DEMO_CMD)

SUITES := unit oracle cli requests export live formats readme visual html scale hostile pprof dtoa tui diff
test: deps
	$(MAKE) $(SUITES) installtest

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

PROFVIEW_BIN ?= ./profview

# The quick check for the edit loop: the suites that run on what building
# needs plus python3 (no deps step, no apt, no npm), under two minutes on a
# built tree.  `make test` stays the full suite; CI runs that.
CHECK_SUITES := unit oracle cli requests readme
check: $(PROFVIEW_BIN) $(UNIT_BIN)
	@$(MAKE) --no-print-directory -k -Otarget $(CHECK_SUITES) && echo "check: $(CHECK_SUITES) passed"

oracle: $(PROFVIEW_BIN)
	$(PYTHON) tests/oracle/oracle.py --strict --profview $(PROFVIEW_BIN)
	$(PYTHON) tests/oracle/nan_sort.py --profview $(PROFVIEW_BIN)

cli: $(PROFVIEW_BIN)
	bash tests/cli/run.sh $(PROFVIEW_BIN)

# signals, memory limits, other users and mounts (see the script's header)
hostile: $(PROFVIEW_BIN)
	bash tests/hostile/run.sh $(PROFVIEW_BIN)
	$(DEB_PYTHON) tests/hostile/test_names.py --profview $(PROFVIEW_BIN)

# --diff against ground truth from real werkzeug runs (testdata/diff/)
diff: $(PROFVIEW_BIN)
	$(DEB_PYTHON) tests/diff/test_diff.py --profview $(PROFVIEW_BIN)

live: $(PROFVIEW_BIN)
	bash tests/live/test_live_dir.sh $(PROFVIEW_BIN)

# Archives at scale: a 100,000-member tar through a pipe under a 256 MB
# address-space limit, and a 2,000-member one against its directory.
scale: $(PROFVIEW_BIN)
	$(PYTHON) tests/scale/test_archive_scale.py --profview $(PROFVIEW_BIN)

# The unit tests and the CLI goldens under valgrind's memcheck: any error or
# leak changes an exit status or stderr, which the goldens compare.
# PROFVIEW_IO_URING=0: memcheck does not see what the kernel writes through
# io_uring (lib/uring.c), so it checks the usual read path.
VG := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99
valgrind: profview $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== valgrind $$t"; PV_NO_RLIMIT=1 PROFVIEW_NO_JIT=1 PROFVIEW_IO_URING=0 $(VG) $$t >/dev/null || exit 1; done
	@# some goldens run profview as the user nobody, who may not search the
	@# checkout (CI clones into a folder only root may enter): the wrapper
	@# script and the binary valgrind loads go to a folder anyone may read
	@vg=$$(mktemp -d /tmp/profview-vg.XXXXXX) && chmod 755 "$$vg" && cp profview "$$vg/" && \
	printf '#!/bin/sh\nPROFVIEW_NO_JIT=1 PROFVIEW_IO_URING=0 exec $(VG) %s "$$@"\n' "$$vg/profview" > "$$vg/profview-vg" && \
	chmod 755 "$$vg/profview-vg" && \
	{ bash tests/cli/run.sh "$$vg/profview-vg"; rc=$$?; rm -rf "$$vg"; exit $$rc; }

export: $(PROFVIEW_BIN)
	$(PYTHON) tests/export/test_exports.py --profview $(PROFVIEW_BIN)

# The call-tree formats read by the programs that read them: xmllint, the
# SVG in headless Chromium (selenium), the speedscope app from npm (installed
# here under build/npm, never committed), dot -Tpng.  Debian's python3, which
# has selenium and jsonschema.
NPM_DIR   := build/npm
SPEEDSCOPE := $(NPM_DIR)/node_modules/speedscope
DEB_PYTHON ?= /usr/bin/python3
$(SPEEDSCOPE)/package.json:
	npm install --prefix $(NPM_DIR) --no-audit --no-fund speedscope@1.25.0
visual: $(PROFVIEW_BIN) $(SPEEDSCOPE)/package.json
	$(DEB_PYTHON) tests/visual/test_visual.py --profview $(PROFVIEW_BIN) --speedscope $(SPEEDSCOPE)

# -f pprof read by go tool pprof (offline, scratch GOPATH/GOCACHE) and by
# the speedscope app in headless chromium; the server-less fleet recipe
# (partial -f pstats merges merged again) against pstats.Stats.
pprof: $(PROFVIEW_BIN) $(SPEEDSCOPE)/package.json
	$(DEB_PYTHON) tests/pprof/test_pprof.py --profview $(PROFVIEW_BIN) --speedscope $(SPEEDSCOPE)
	$(DEB_PYTHON) tests/pprof/test_fleet.py --profview $(PROFVIEW_BIN)

# The HTML report in Debian's headless chromium (chromium-driver, selenium),
# which this target installs when missing.
HTML_PKGS := chromium chromium-driver python3-selenium
html: $(PROFVIEW_BIN)
	$(call install,$(HTML_PKGS))
	/usr/bin/python3 tests/html/test_html.py --profview $(PROFVIEW_BIN)

# profview -i in tmux (a person's session, key by key) and --watch
.PHONY: tui
tui: $(PROFVIEW_BIN)
	$(PYTHON) tests/tui/test_tui.py --profview $(PROFVIEW_BIN)
	$(PYTHON) tests/tui/test_watch.py --profview $(PROFVIEW_BIN)

requests: $(PROFVIEW_BIN)
	$(PYTHON) tests/requests/test_requests.py --profview $(PROFVIEW_BIN)

# the README's output sample against `make demo`'s command; every relative
# link and anchor in README.md, doc/*.md and bench/README.md resolves
readme: $(PROFVIEW_BIN)
	bash tests/readme/test_readme.sh $(PROFVIEW_BIN) "$(DEMO_CMD)"
	$(PYTHON) tests/readme/check_links.py

# pv_double_repr (lib/dtoa.c) against Python's repr(float) on a million
# random bit patterns and the edge cases (tests/dtoa/test_dtoa.py)
$(BUILD)/tests/dtoa_repr: tests/dtoa/repr.c $(BUILD)/libprofview.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libprofview.a $(PKG_LIBS) -lm
dtoa: $(BUILD)/tests/dtoa_repr
	$(PYTHON) tests/dtoa/test_dtoa.py $(BUILD)/tests/dtoa_repr

# every format and mode: the format list, JSON Schemas, csv, --diff, --short-paths
formats: $(PROFVIEW_BIN)
	$(PYTHON) tests/formats/test_formats.py --profview $(PROFVIEW_BIN)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
sanitize:
	$(MAKE) BUILD=build/san CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" PROFVIEW_BIN=build/san/profview \
		build/san/profview $(SUITES)

build/san/profview: $(BUILD)/libprofview.a $(CMD_OBJ) $(TUI_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) $(TUI_OBJ) $(BUILD)/libprofview.a $(PKG_LIBS) $(TUI_LIBS) -lm

# Installation: make install [PREFIX=/usr/local] [DESTDIR=/staging/dir]
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL     ?= install

# The library as well: libprofview.a, its header lib/pv.h installed as
# <profview.h> (the library's name; "pv.h" is too short a name to claim
# in a shared include directory), and profview.pc, whose paths under
# PREFIX are written relative to ${prefix} so that pkg-config's sysroot
# and --define-prefix can move them.
PV_VERSION := $(shell sed -n 's/.*define PV_VERSION "\(.*\)"$$/\1/p' lib/pv.h)
pc_path = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

.PHONY: install installtest
install: profview $(BUILD)/libprofview.a
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man1" \
		"$(DESTDIR)$(BASHCOMPDIR)" "$(DESTDIR)$(ZSHCOMPDIR)" \
		"$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(INCLUDEDIR)" "$(DESTDIR)$(PKGCONFIGDIR)"
	$(INSTALL) -m 755 profview "$(DESTDIR)$(BINDIR)/profview"
	$(INSTALL) -m 644 doc/profview.1 "$(DESTDIR)$(MANDIR)/man1/profview.1"
	$(INSTALL) -m 644 completion/profview.bash "$(DESTDIR)$(BASHCOMPDIR)/profview"
	$(INSTALL) -m 644 completion/_profview "$(DESTDIR)$(ZSHCOMPDIR)/_profview"
	$(INSTALL) -m 644 $(BUILD)/libprofview.a "$(DESTDIR)$(LIBDIR)/libprofview.a"
	$(INSTALL) -m 644 lib/pv.h "$(DESTDIR)$(INCLUDEDIR)/profview.h"
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call pc_path,$(INCLUDEDIR))|' -e 's|@VERSION@|$(PV_VERSION)|' \
		-e '/^#/d' lib/profview.pc.in > "$(DESTDIR)$(PKGCONFIGDIR)/profview.pc"
	chmod 644 "$(DESTDIR)$(PKGCONFIGDIR)/profview.pc"

# make install into a temporary DESTDIR and check the result (tests/install/)
installtest: profview
	bash tests/install/test_install.sh $(MAKE) -f $(firstword $(MAKEFILE_LIST))

# Speed and memory against cat and CPython's pstats (writes corpora to /tmp).
# BENCH_OPTS=--100k adds 100,000-dump archive rows, --million the 10^6-dump row.
bench: bench-deps profview
	bash bench/run.sh $(BENCH_OPTS) $(BENCH_SIZES)
	bash bench/formats.sh
	bash bench/html.sh
	$(PYTHON) bench/tui.py

# .clang-format: make format applies it, make format-check (CI) fails on a difference
FORMAT_SRC = lib/*.[ch] formats/*.[ch] cmd/*.[ch] tui/*.[ch] tests/unit/*.[ch] tests/install/*.c
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf $(BUILD) profview
