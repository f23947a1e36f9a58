# -*- coding: utf-8 -*-
"""Recursion: direct, mutual, tree-shaped and via methods (py2.7 + py3)."""

def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def hanoi(n, src, via, dst, moves):
    if n:
        hanoi(n - 1, src, dst, via, moves)
        moves.append((src, dst))
        hanoi(n - 1, via, src, dst, moves)
    return moves


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


class Node(object):
    def __init__(self, value, children=()):
        self.value = value
        self.children = list(children)

    def total(self):
        return self.value + sum(c.total() for c in self.children)

    def depth(self):
        return 1 + max([c.depth() for c in self.children] or [0])


def build(depth, width):
    if depth == 0:
        return Node(1)
    return Node(depth, [build(depth - 1, width) for _ in range(width)])


def flatten(nested, out=None):
    if out is None:
        out = []
    for item in nested:
        if isinstance(item, list):
            flatten(item, out)
        else:
            out.append(item)
    return out


def main():
    results = [fib(12), is_even(25), is_odd(7), len(hanoi(5, "a", "b", "c", [])),
               ackermann(2, 2)]
    tree = build(3, 3)
    results.append(tree.total())
    results.append(tree.depth())
    results.append(len(flatten([1, [2, [3, [4, [5]]]], [6, 7], 8])))
    print(" ".join(str(r) for r in results))


if __name__ == "__main__":
    main()
