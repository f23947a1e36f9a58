# -*- coding: utf-8 -*-
"""Generators, comprehensions, lambdas, classes and common builtins (py2.7 + py3)."""

def count_up(n):
    i = 0
    while i < n:
        yield i
        i += 1


def squares(it):
    for x in it:
        yield x * x


def take(n, it):
    out = []
    for x in it:
        if len(out) >= n:
            break
        out.append(x)
    return out


def chunks(seq, size):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


class Shape(object):
    registry = []

    def __init__(self, name):
        self.name = name
        Shape.registry.append(self)

    def area(self):
        raise NotImplementedError

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self.name)

    @classmethod
    def count(cls):
        return len(cls.registry)

    @staticmethod
    def unit():
        return 1.0


class Rect(Shape):
    def __init__(self, name, w, h):
        super(Rect, self).__init__(name)
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    @property
    def perimeter(self):
        return 2 * (self.w + self.h)


class Square(Rect):
    def __init__(self, name, side):
        Rect.__init__(self, name, side, side)


def main():
    evens = [x for x in count_up(40) if x % 2 == 0]
    sq = take(10, squares(count_up(1000)))
    table = dict((k, v) for k, v in zip("abcdef", sq))
    words = sorted(["pear", "Apple", "fig", "banana", "kiwi"], key=lambda s: s.lower())
    shapes = [Rect("r%d" % i, i, i + 1) for i in range(5)] + [Square("s%d" % i, i) for i in range(3)]
    by_area = sorted(shapes, key=lambda s: (s.area(), s.name))
    total = sum(s.area() for s in shapes) + sum(map(lambda s: s.perimeter, shapes))
    big = list(filter(lambda s: s.area() > 6, shapes))
    parts = ["-".join(str(v) for v in c) for c in chunks(evens, 4)]
    print("%d %d %d %d %s %r %s %d %d %s %s" % (
        len(evens), max(sq), min(sq), len(table), ",".join(words), by_area[-1],
        total, len(big), Shape.count(), Shape.unit(), "|".join(parts)))


if __name__ == "__main__":
    main()
