# -*- coding: utf-8 -*-
"""Standard-library work: re, collections, itertools, functools, operator (py2.7 + py3).

Only modules that `python -m cProfile` has already imported are used, so the
profile shows library code (regex compilation, Counter, namedtuple...) without
pages of import machinery.
"""
import collections
import functools
import itertools
import operator
import re

WORD = re.compile(r"[a-z]+")
TEXT = ("the quick brown fox jumps over the lazy dog and the dog sleeps "
        "while the fox runs over the hill and the hill is quiet")
Pair = collections.namedtuple("Pair", "left right")


def tokens(text):
    return WORD.findall(text.lower())


def histogram(words):
    return collections.Counter(words)


def top(hist, n):
    return sorted(hist.items(), key=operator.itemgetter(1), reverse=True)[:n]


def pairs(words):
    return [Pair(a, b) for a, b in itertools.islice(zip(words, words[1:]), 20)]


def product(nums):
    return functools.reduce(lambda a, b: a * b, nums, 1)


def main():
    words = tokens(TEXT)
    hist = histogram(words)
    common = top(hist, 3)
    joined = ["%s-%s" % (p.left, p.right) for p in pairs(words)][:5]
    print("%d %d %s %s" % (len(words), product(range(1, 10)), common[0][0], ",".join(joined)))


if __name__ == "__main__":
    main()
