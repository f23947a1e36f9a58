#!/usr/bin/env python3
"""Archives at scale: memory and one pass.

1. A tar of N small dumps (default 100,000; three committed dumps under
   generated names), written by tarfile straight into profview's standard
   input - never to disk - with the address space limited (RLIMIT_AS, as
   `ulimit -v` does) to --limit-mb (default 256): profview must read every
   member, exit 0, report N profiles and the summed call count, and peak at
   under --limit-mb of RSS (getrusage of the child).  The packed members
   (about 1.5 KB each) go to an unlinked file in $TMPDIR.
2. The same kind of archive, 2,000 members, against a directory of the same
   files: byte-identical report with a 64 KiB spill budget (most members in
   the temporary file) and with the default one.

    tests/scale/test_archive_scale.py --profview ./profview [-n 100000]
"""
import argparse
import marshal
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DUMPS = ["prog_recursion.prof", "prog_generators.prof", "prog_py3_ñämes.prof"]


def dumps():
    out = []
    for name in DUMPS:
        with open(os.path.join(ROOT, "testdata", "cprofile", "py311", name), "rb") as f:
            out.append(f.read())
    return out


def member_name(i):
    return "dump/%03d/GET.api.item.%d.1ms.%d.prof" % (i // 1000, i, 1795000000 + i)


def write_tar(fileobj, n, data):
    """Members in name order (tar --sort=name's order: the directory's)."""
    with tarfile.open(fileobj=fileobj, mode="w|", format=tarfile.GNU_FORMAT) as t:
        for i in sorted(range(n), key=member_name):
            d = data[i % len(data)]
            info = tarfile.TarInfo(member_name(i))
            info.size = len(d)
            info.mtime = 1795000000
            t.addfile(info, fileobj=_Bytes(d))


class _Bytes:
    def __init__(self, b):
        self.b, self.at = b, 0

    def read(self, n=-1):
        n = len(self.b) - self.at if n < 0 else n
        s = self.b[self.at:self.at + n]
        self.at += len(s)
        return s


def calls_of(data):
    return sum(v[1] for v in marshal.loads(data).values())


def sanitized(pv):
    """AddressSanitizer reserves terabytes of address space: no limit then."""
    with open(pv, "rb") as f:
        return b"__asan_init" in f.read()


def big_archive(pv, n, limit_mb):
    data = dumps()
    want_calls = sum(calls_of(data[i % len(data)]) for i in range(n))
    limit = limit_mb << 20
    san = sanitized(pv)

    def set_limit():
        if not san:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ, PROFVIEW_THREADS="2")
    t0 = time.time()
    p = subprocess.Popen([pv, "-", "-n", "3"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=set_limit, env=env)
    out = []
    readers = [threading.Thread(target=lambda f=f: out.append((f, f.read())))
               for f in (p.stdout, p.stderr)]
    for r in readers:
        r.start()
    try:
        write_tar(p.stdin, n, data)
    finally:
        p.stdin.close()
    for r in readers:
        r.join()
    rc = p.wait()
    secs = time.time() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    res = {f: b.decode("utf-8", "replace") for f, b in out}
    stdout, stderr = res[p.stdout], res[p.stderr]
    ok = True
    if rc != 0 or stderr:
        print("FAIL: exit %d, stderr: %s" % (rc, stderr[:500]))
        ok = False
    head = "%d profiles from standard input" % n
    if head not in stdout:
        print("FAIL: expected %r in the summary, got %r" % (head, stdout[:200]))
        ok = False
    if ("%d function calls" % want_calls) not in stdout:
        print("FAIL: expected %d function calls, got %r" % (want_calls, stdout[:300]))
        ok = False
    if peak_mb >= limit_mb and not san:
        print("FAIL: peak RSS %.1f MB, limit %d MB" % (peak_mb, limit_mb))
        ok = False
    print("%s: %d-member tar through a pipe, address space limited to %s: "
          "peak RSS %.1f MB, %.1f s" % ("ok" if ok else "FAIL", n,
                                        "%d MB" % limit_mb if not san else "- (sanitizer build)",
                                        peak_mb, secs))
    return ok


def same_as_directory(pv, n):
    data = dumps()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            path = os.path.join(tmp, "d", member_name(i))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data[i % len(data)])
        tar = os.path.join(tmp, "d.tar.gz")
        with tarfile.open(tar, "w:gz") as t:
            for i in sorted(range(n), key=member_name):
                t.add(os.path.join(tmp, "d", member_name(i)), arcname=member_name(i))
        args = ["-s", "stdname", "--callers"]
        want = subprocess.run([pv, os.path.join(tmp, "d", "dump")] + args,
                              capture_output=True, check=True).stdout.split(b"\n", 1)[1]
        for cache in ("64K", ""):
            env = dict(os.environ, PROFVIEW_ARCHIVE_CACHE=cache)
            got = subprocess.run([pv, tar] + args, capture_output=True, env=env,
                                 check=True).stdout.split(b"\n", 1)[1]
            same = got == want
            ok &= same
            print("%s: %d-member tar.gz, budget %s: %s" % (
                "ok" if same else "FAIL", n, cache or "default",
                "same bytes as the directory" if same else "differs from the directory"))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profview", default=os.path.join(ROOT, "profview"))
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--limit-mb", type=int, default=256)
    a = ap.parse_args()
    pv = os.path.abspath(a.profview)
    ok = same_as_directory(pv, 2000)
    ok &= big_archive(pv, a.n, a.limit_mb)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
