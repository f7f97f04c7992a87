"""The strings a small, anchored regex accepts: how the linter proves a grep filter cuts off a route.

A route's values are often a short list (``^(ActiveRecord|Sequel)$``); a
grep ``Exclude`` on the same key can remove every one of them, so the route
can never deliver. To see that, the linter needs the route pattern's whole
language when it is finite and small. This module reads the subset of
Python's regex syntax that the Onigmo translation
(:mod:`firelens_cdktf.fluentbit.onigmo`) emits for such patterns: literals
and escaped punctuation, character classes of literals and short ranges,
groups, alternation, and bounded repeats (``?``, ``{m}``, ``{m,n}`` up to
:data:`MAX_REPEAT`), anchored at both ends (``^``/``\\A`` ... ``$``/``\\Z``).
Anything else, including case-insensitive patterns, means "not a small
finite language" (``None``): the linter then stays silent rather than guess.
"""

from __future__ import annotations

import re

#: Most strings a language may hold before it counts as "not small".
LANGUAGE_LIMIT = 256
#: Largest upper bound of a repeat that is expanded.
MAX_REPEAT = 4
#: Widest character range expanded (``[a-z]`` is 26).
MAX_RANGE = 64

_START_ANCHORS = ("^", "\\A")
_END_ANCHORS = ("$", "\\Z", "\\z")
_SPECIAL = set("\\[](){}|?*+.^$")


class _NotFinite(Exception):
    """The pattern uses something outside the subset, or its language is too large."""


def finite_language(pattern: re.Pattern[str]) -> set[str] | None:
    """The single-line values ``pattern`` accepts, when they are few and it is anchored at both ends.

    Example:
        >>> sorted(finite_language(re.compile(r"^(ActiveRecord|Sequel)$")) or [])
        ['ActiveRecord', 'Sequel']
    """
    text = pattern.pattern
    if pattern.flags & re.IGNORECASE:
        return None
    start = next((a for a in _START_ANCHORS if text.startswith(a)), None)
    end = next((a for a in _END_ANCHORS if text.endswith(a) and not text.endswith("\\" + a)), None)
    if start is None or end is None or len(text) < len(start) + len(end):
        return None
    body = text[len(start) : len(text) - len(end)]
    try:
        reader = _Reader(body)
        # One sequence, not an alternation: in ^a|b$ the anchors bind to each branch, not to both.
        values = reader.sequence()
        if reader.position != len(body):
            return None
    except _NotFinite:
        return None
    return {v for v in values if "\n" not in v}


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.position = text, 0

    def _peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def alternation(self) -> set[str]:
        values = self.sequence()
        while self._peek() == "|":
            self.position += 1
            values = _limited(values | self.sequence())
        return values

    def sequence(self) -> set[str]:
        values = {""}
        while self._peek() not in ("", "|", ")"):
            atom = self.repeat(self.atom())
            values = _limited({a + b for a in values for b in atom})
        return values

    def atom(self) -> set[str]:
        char = self._peek()
        self.position += 1
        if char == "(":
            if self.text.startswith("?:", self.position):
                self.position += 2
            elif self.text.startswith("?P<", self.position):
                close = self.text.find(">", self.position)
                if close < 0:
                    raise _NotFinite
                self.position = close + 1
            elif self._peek() == "?":
                raise _NotFinite  # lookarounds, inline flags, backreferences
            values = self.alternation()
            if self._peek() != ")":
                raise _NotFinite
            self.position += 1
            return values
        if char == "[":
            return self.character_class()
        if char == "\\":
            return {self.escaped()}
        if char in _SPECIAL:
            raise _NotFinite  # ., anchors inside the body, stray quantifiers
        return {char}

    def escaped(self) -> str:
        char = self._peek()
        self.position += 1
        if not char or char.isalnum() or char == "_":
            raise _NotFinite  # classes (\d, \w), anchors and numeric escapes
        return char

    def character_class(self) -> set[str]:
        if self._peek() == "^":
            raise _NotFinite
        values: set[str] = set()
        first = True
        while True:
            char = self._peek()
            if not char:
                raise _NotFinite
            self.position += 1
            if char == "]" and not first:
                return values
            first = False
            if char == "\\":
                char = self.escaped()
            elif char == "[":
                raise _NotFinite  # nested sets
            if self._peek() == "-" and self.text[self.position + 1 : self.position + 2] not in ("]", ""):
                self.position += 1
                high = self._peek()
                self.position += 1
                if high == "\\":
                    high = self.escaped()
                if ord(high) - ord(char) >= MAX_RANGE or ord(high) < ord(char):
                    raise _NotFinite
                values.update(chr(c) for c in range(ord(char), ord(high) + 1))
            else:
                values.add(char)

    def repeat(self, atom: set[str]) -> set[str]:
        char = self._peek()
        if char == "?":
            low, high = 0, 1
            self.position += 1
        elif char == "{":
            match = re.compile(r"\{(\d+)(?:,(\d+))?\}").match(self.text, self.position)
            if match is None:
                raise _NotFinite  # {m,} and malformed bounds
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) is not None else low
            self.position = match.end()
        elif char in ("*", "+"):
            raise _NotFinite
        else:
            return atom
        if self._peek() == "?":
            self.position += 1  # lazy: the same language
        elif self._peek() == "+":
            raise _NotFinite  # possessive
        if high > MAX_REPEAT or low > high:
            raise _NotFinite
        values: set[str] = set()
        combos = {""}
        for count in range(high + 1):
            if count >= low:
                values |= combos
            if count < high:
                combos = _limited({a + b for a in combos for b in atom})
        return _limited(values)


def _limited(values: set[str]) -> set[str]:
    if len(values) > LANGUAGE_LIMIT:
        raise _NotFinite
    return values
