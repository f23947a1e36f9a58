"""A small real program for the --diff test in tests/formats: `python3 -m
cProfile -o OUT slow_prog.py FACTOR` runs render() FACTOR times as long as
with 1, every other function the same (testdata/slowprog/, made by regen.sh)."""
import sys


def parse(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def render(n):
    s = 0
    for i in range(n):
        s += i % 7
    return s


def store(n):
    d = {}
    for i in range(n):
        d[i] = i
    return len(d)


def main(factor):
    for _ in range(20):
        parse(20000)
        render(20000 * factor)
        store(20000)


if __name__ == "__main__":
    main(int(sys.argv[1]))
