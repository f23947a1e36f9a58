#!/usr/bin/env python3
"""Every relative link in the documents resolves.

    check_links.py [FILE.md ...]     default: README.md, doc/*.md, bench/README.md

A link [text](target) whose target is not a URL must name a file or folder
that exists (relative to the document that holds it), and a "#anchor" in it
must be a heading of the Markdown file it points into, made into an anchor as
GitHub makes it (lower case, punctuation dropped, spaces as hyphens, "-1",
"-2" for repeats).  Links in code (fenced blocks, `inline`) are not links.
Run from anywhere; paths are taken from the repository root.
"""

import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def prose_lines(path, blank_code=True):
    """(line number, text) of the lines outside fenced code; inline code
    blanked unless blank_code is false (headings keep theirs for the anchor)."""
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if not in_fence:
                line = line.rstrip("\n")
                yield n, re.sub(r"(`+)(?:(?!\1).)+?\1", "``", line) if blank_code else line


def slug(heading):
    # GitHub: markup dropped, lower case, every character that is not a
    # letter, digit, space, hyphen or underscore removed, spaces to hyphens
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").replace("*", "").lower().strip()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


anchor_cache = {}


def anchors(path):
    if path not in anchor_cache:
        seen = {}
        names = set()
        for _, line in prose_lines(path, blank_code=False):
            m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if not m:
                continue
            base = slug(m.group(1))
            k = seen.get(base, 0)
            seen[base] = k + 1
            names.add(base if k == 0 else "%s-%d" % (base, k))
        anchor_cache[path] = names
    return anchor_cache[path]


def check(doc):
    bad = []
    here = os.path.dirname(doc)
    for n, line in prose_lines(doc):
        for m in LINK.finditer(line):
            target = m.group(1)
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # a URL (https:, mailto:) is not ours to check offline
            path, _, frag = target.partition("#")
            dest = os.path.normpath(os.path.join(here, path)) if path else doc
            where = "%s:%d: %s" % (os.path.relpath(doc, ROOT), n, target)
            if not os.path.exists(dest):
                bad.append("%s: no such file" % where)
            elif not dest.startswith(ROOT + os.sep) and dest != ROOT:
                bad.append("%s: outside the repository" % where)
            elif frag:
                if not dest.endswith(".md") or os.path.isdir(dest):
                    bad.append("%s: an anchor into a file that is not Markdown" % where)
                elif frag not in anchors(dest):
                    bad.append("%s: no heading makes the anchor #%s" % (where, frag))
    return bad


def main():
    os.chdir(ROOT)
    docs = sys.argv[1:] or (["README.md"] + sorted(glob.glob("doc/*.md")) + ["bench/README.md"])
    bad, links = [], 0
    for d in docs:
        path = os.path.join(ROOT, d)
        links += sum(1 for _, line in prose_lines(path) for _ in LINK.finditer(line))
        bad += check(path)
    for b in bad:
        print("FAIL " + b)
    print("links: %d documents, %d links, %d broken" % (len(docs), links, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
