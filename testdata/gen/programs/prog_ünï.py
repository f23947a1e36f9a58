# -*- coding: utf-8 -*-
"""Non-ASCII file name and non-ASCII data; ASCII identifiers so it also runs on py2.7."""
import unicodedata

TEXT = u"Ünïcödé façade, naïve café — 日本語のテキスト, Ελληνικά, ¿qué? 🐍"


def strip_accents(s):
    return u"".join(c for c in unicodedata.normalize("NFD", s)
                   if unicodedata.category(c) != "Mn")


def count_vowels(s):
    return sum(1 for c in strip_accents(s).lower() if c in u"aeiou")


def reverse_words(s):
    return u" ".join(reversed(s.split()))


def encode_all(s):
    return [len(s.encode(enc, "replace")) for enc in ("utf-8", "latin-1", "ascii")]


def main():
    # print ASCII only: py2 cannot encode non-ASCII to a redirected stdout
    print("%d %d %r %d" % (count_vowels(TEXT), len(reverse_words(TEXT)), encode_all(TEXT),
                           len(strip_accents(TEXT))))


if __name__ == "__main__":
    main()
