# -*- coding: utf-8 -*-
# py3-only: non-ASCII identifiers (PEP 3131), async def, keyword-only args.
"""Non-ASCII file name AND non-ASCII function/class names (Python 3 only)."""


def fünf(x):
    return x * 5


def 計算(values, *, scale=1):
    return [fünf(v) * scale for v in values]


class Café:
    def __init__(self, größe):
        self.größe = größe

    def größer(self, other):
        return self.größe > other.größe

    def __lt__(self, other):
        return self.größe < other.größe


def ταξινόμηση(items):
    return sorted(items)


async def αsync_add(a, b):
    return a + b


def drive(coro):
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value


def main():
    values = 計算(range(10), scale=2)
    cafés = ταξινόμηση([Café(n) for n in (3, 1, 2)])
    total = drive(αsync_add(sum(values), len(cafés)))
    print(total, cafés[0].größer(cafés[-1]), [c.größe for c in cafés])


if __name__ == "__main__":
    main()
