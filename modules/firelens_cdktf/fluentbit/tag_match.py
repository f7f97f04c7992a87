"""Fluent Bit ``Match`` wildcards, and set reasoning over them for the linter.

How Fluent Bit matches a tag (``router_match`` in src/flb_router.c): the
pattern is compared character by character, case-sensitively; ``*`` stands
for any run of characters, including none and including dots, and may appear
anywhere, any number of times; there is no other wildcard. ``Match *`` takes
every tag.

The linter needs more than "does this tag match": it asks whether *some* tag
a rewrite rule can produce is caught by a ``Match`` (a possible loop) and
whether *every* such tag is caught (the copies are always routed). Tag
templates are turned into glob patterns (record-derived parts become ``*``)
and compared with :func:`overlaps` and :func:`covers`.
"""

from __future__ import annotations

from functools import lru_cache

STAR = "*"


@lru_cache(maxsize=4096)
def tag_matches(pattern: str, tag: str) -> bool:
    """Whether ``tag`` is selected by ``Match pattern`` (router_match semantics)."""
    return _match(pattern, 0, tag, 0, {})


def _match(p: str, i: int, t: str, j: int, memo: dict[tuple[int, int], bool]) -> bool:
    key = (i, j)
    if key in memo:
        return memo[key]
    if i == len(p):
        result = j == len(t)
    elif p[i] == STAR:
        # a '*' consumes nothing, or one more character of the tag
        result = _match(p, i + 1, t, j, memo) or (j < len(t) and _match(p, i, t, j + 1, memo))
    else:
        result = j < len(t) and t[j] == p[i] and _match(p, i + 1, t, j + 1, memo)
    memo[key] = result
    return result


def overlaps(a: str, b: str) -> bool:
    """Whether some tag matches both glob patterns ``a`` and ``b``."""
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        a_star = i < len(a) and a[i] == STAR
        b_star = j < len(b) and b[j] == STAR
        if a_star:
            stack.append((i + 1, j))
        if b_star:
            stack.append((i, j + 1))
        if i < len(a) and j < len(b):
            if not a_star and not b_star and a[i] == b[j]:
                stack.append((i + 1, j + 1))
            elif a_star and not b_star:
                stack.append((i, j + 1))
            elif b_star and not a_star:
                stack.append((i + 1, j))
    return False


def covers(general: str, specific: str) -> bool:
    """Whether every tag matching ``specific`` also matches ``general``.

    Works on a finite alphabet: the characters written in ``general`` plus one
    stand-in for "any other character", which is all a ``*`` in ``specific``
    can usefully produce.
    """
    alphabet = sorted(set(general.replace(STAR, "")) | {"\x00"})
    start = _closure(general, frozenset({0}))
    seen: set[tuple[int, frozenset[int]]] = set()
    stack = [(0, start)]
    while stack:
        i, states = stack.pop()
        if (i, states) in seen:
            continue
        seen.add((i, states))
        if i == len(specific):
            if len(general) not in states:
                return False
            continue
        if specific[i] == STAR:
            stack.append((i + 1, states))
            for char in alphabet:
                stack.append((i, _step(general, states, char)))
        else:
            stack.append((i + 1, _step(general, states, specific[i])))
    return True


def _closure(pattern: str, states: frozenset[int]) -> frozenset[int]:
    result = set(states)
    for state in sorted(states):
        position = state
        while position < len(pattern) and pattern[position] == STAR:
            position += 1
            result.add(position)
    return frozenset(result)


def _step(pattern: str, states: frozenset[int], char: str) -> frozenset[int]:
    following: set[int] = set()
    for state in states:
        if state < len(pattern):
            if pattern[state] == STAR:
                following.add(state)
            elif pattern[state] == char:
                following.add(state + 1)
    return _closure(pattern, frozenset(following))
