"""Run Fluent Bit regular expressions (Onigmo, Ruby syntax) with Python's ``re``.

Fluent Bit compiles every regex (rewrite_tag rules, ``Match_Regex``, regex
parsers) with Onigmo using ``ONIG_SYNTAX_RUBY`` and UTF-8 (src/flb_regex.c,
``str_to_regex``), and tests values with ``onig_search``: the pattern may
match *anywhere* in the value unless it anchors itself (``flb_regex_do``,
``flb_regex_match``). Ruby syntax differs from Python's in ways that change
results, so patterns are translated, not passed through:

- ``^`` and ``$`` are *line* anchors in Ruby: compiled with ``re.MULTILINE``.
- Ruby's ``m`` option (and ``(?m)``) makes ``.`` match a newline: Python ``s``.
- ``\\d``, ``\\s``, ``\\w`` are ASCII-only in Onigmo's Ruby syntax
  (``ONIG_OPTION_ASCII_RANGE``): spelled out as ASCII classes.
- ``\\h`` is a hex digit; ``\\z`` is Python's ``\\Z``; ``\\Z`` allows a final newline.
- ``(?<name>...)`` is a named group; when a pattern has named groups, plain
  ``(...)`` groups do not capture (``ONIG_SYN_CAPTURE_ONLY_NAMED_GROUP``).
- A pattern written ``/.../`` or ``/.../imx`` is unwrapped and its options
  applied, as ``check_option`` in flb_regex.c does.

Anything else Ruby-specific (``\\p{..}``, ``\\G``, ``\\K``, ``\\R``, ``\\X``,
``\\g<..>``, POSIX brackets, class set operations, absent groups, ...) raises
:class:`UnsupportedRegex`: the caller reports it instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASCII_CLASSES = {"d": "0-9", "w": "a-zA-Z0-9_", "s": " \\t\\n\\x0b\\f\\r", "h": "0-9a-fA-F"}
_SIMPLE_ESCAPES = {"n": "\\n", "t": "\\t", "r": "\\r", "f": "\\f", "v": "\\x0b", "a": "\\x07", "e": "\\x1b"}
_RUBY_OPTION_FLAGS = {"i": "i", "m": "s", "x": "x"}
#: ``re`` errors for patterns Onigmo's Ruby syntax accepts: look-behind with
#: alternatives of different lengths, a name used twice, nested repeats.
_PYTHON_ONLY_ERRORS = ("look-behind requires fixed-width", "redefinition of group name", "multiple repeat")


class UnsupportedRegex(Exception):
    """The pattern uses Onigmo syntax the translation does not model."""


class InvalidRegex(Exception):
    """The pattern does not compile (Fluent Bit refuses it at start-up too)."""


@dataclass(frozen=True)
class OnigmoRegex:
    """A Fluent Bit regex, translated and compiled for Python.

    ``source`` is the pattern as written in the config; ``compiled`` the
    Python equivalent; ``groups`` the number of capturing groups Onigmo sees.
    """

    source: str
    compiled: re.Pattern[str]

    @property
    def groups(self) -> int:
        """Number of capturing groups (Onigmo's ``num_regs - 1``)."""
        return self.compiled.groups

    def search(self, value: str) -> re.Match[str] | None:
        """Find the first match anywhere in ``value``, as ``onig_search`` does."""
        return self.compiled.search(value)

    def match_prefix(self, value: str) -> re.Match[str] | None:
        """Match at the start only, as ``onig_match`` does (used by ``Match_Regex``)."""
        return self.compiled.match(value)


def compile_onigmo(pattern: str) -> OnigmoRegex:
    """Translate and compile a Fluent Bit regex.

    Raises:
        UnsupportedRegex: the pattern uses syntax this module does not model.
        InvalidRegex: the pattern is not a valid regular expression.
    """
    body, options = _unwrap_slashes(pattern)
    _check_onigmo_rules(body)
    translated = _Translator(body).translate()
    flags = re.MULTILINE
    if "i" in options:
        flags |= re.IGNORECASE
    if "m" in options:
        flags |= re.DOTALL
    if "x" in options:
        flags |= re.VERBOSE
    try:
        compiled = re.compile(translated, flags)
    except OverflowError as exc:  # Python's own limit on a repeat count: Onigmo's is lower (below)
        raise InvalidRegex(f"too big number for repeat range ({exc})") from None
    except re.error as exc:
        if any(message in str(exc) for message in _PYTHON_ONLY_ERRORS):
            raise UnsupportedRegex(f"syntax Python rejects but Onigmo accepts ({exc})") from None
        raise InvalidRegex(str(exc)) from None
    return OnigmoRegex(source=pattern, compiled=compiled)


#: Onigmo's largest repeat count, ONIG_MAX_REPEAT_NUM in onigmo.h (fluent/fluent-bit v4.2.2,
#: lib/onigmo/onigmo.h); a larger one is "too big number for repeat range" (regparse.c).
ONIG_MAX_REPEAT_NUM = 100_000
_REPEAT = re.compile(r"(?<!\\)\{(\d+)(?:,(\d*))?\}")
_NAMED_GROUP = re.compile(r"\(\?<[A-Za-z_]\w*>|\(\?'[A-Za-z_]\w*'|\(\?P<")
_NUMBERED_BACKREF = re.compile(r"(?<!\\)\\[1-9]|\\k<\d+>|\\g<\d+>")
_LOOKBEHIND = re.compile(r"\(\?<[=!]")


def _variable_repeat(match: re.Match[str] | None) -> bool:
    """Whether a ``{n,m}`` repeat allows more than one count (``{2}`` does not; ``{1,2}`` and ``{2,}`` do)."""
    return match is not None and match.group(2) is not None and match.group(2) != match.group(1)


def _check_onigmo_rules(body: str) -> None:
    """What Onigmo rejects and Python's ``re`` would accept or read otherwise (lib/onigmo/regparse.c).

    - a repeat count above :data:`ONIG_MAX_REPEAT_NUM`;
    - a variable-length look-behind (``(?<=a+)``): "invalid pattern in look-behind";
    - a numbered back-reference in a pattern with named groups: with names, plain
      groups do not capture (ONIG_OPTION_CAPTURE_GROUP is off), so Onigmo says
      "numbered backref/call is not allowed. (use name)".
    """
    for match in _REPEAT.finditer(body):
        counts = [int(n) for n in match.groups() if n]
        if any(n > ONIG_MAX_REPEAT_NUM for n in counts):
            raise InvalidRegex(
                f"too big number for repeat range: {match.group(0)} (Onigmo allows up to {ONIG_MAX_REPEAT_NUM})"
            )
    for match in _LOOKBEHIND.finditer(body):
        depth, index = 1, match.end()
        while index < len(body) and depth:
            char = body[index]
            if char == "\\":
                index += 2
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if not depth:
                    break
            elif depth and (char in "*+?" or (char == "{" and _variable_repeat(_REPEAT.match(body, index)))):
                raise InvalidRegex(
                    f"invalid pattern in look-behind: {body[match.start() : index + 1]}... "
                    "(Onigmo needs a fixed length there)"
                )
            index += 1
    if _NAMED_GROUP.search(body) and _NUMBERED_BACKREF.search(body):
        raise InvalidRegex(
            "numbered backref/call is not allowed. (use name): a pattern with named groups captures by name only"
        )


def _unwrap_slashes(pattern: str) -> tuple[str, str]:
    """Apply flb_regex.c's ``/pattern/options`` handling; return (body, options)."""
    if not pattern.startswith("/"):
        return pattern, ""
    last = pattern.rfind("/")
    if last > 0 and last != len(pattern) - 1:
        options = pattern[last + 1 :]
        if all(c in "imx" for c in options):
            return pattern[1:last], options
        if "o" in options and all(c in "imxo" for c in options):
            return pattern[1:last], options.replace("o", "")
        # an unknown option letter makes Fluent Bit keep the pattern as written
    if len(pattern) >= 2 and pattern.endswith("/"):
        return pattern[1:-1], ""
    return pattern, ""


class _Translator:
    """Single pass over an Onigmo pattern producing a Python pattern."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        # Onigmo: with named groups present, plain groups do not capture.
        self.only_named = re.search(r"\(\?(?:<(?![=!])|')", pattern) is not None

    def translate(self) -> str:
        while self.i < len(self.p):
            c = self.p[self.i]
            if c == "\\":
                self.out.append(self._escape(in_class=False))
            elif c == "[":
                self.out.append(self._char_class())
            elif c == "(":
                self.out.append(self._group_open())
            else:
                self.out.append(c)
                self.i += 1
        return "".join(self.out)

    def _escape(self, *, in_class: bool) -> str:
        if self.i + 1 >= len(self.p):
            raise InvalidRegex("pattern ends with a backslash")
        c = self.p[self.i + 1]
        self.i += 2
        if c in _ASCII_CLASSES:
            body = _ASCII_CLASSES[c]
            return body if in_class else f"[{body}]"
        if c in "DWSH":
            if in_class:
                raise UnsupportedRegex(f"negated class escape \\{c} inside [...]")
            return f"[^{_ASCII_CLASSES[c.lower()]}]"
        if c in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[c]
        if not in_class and c in "bB":
            return "\\" + c
        if not in_class and c == "A":
            return "\\A"
        if not in_class and c == "z":
            return "\\Z"
        if not in_class and c == "Z":
            return "(?=\\n?\\Z)"
        if c == "x":
            return self._hex_escape()
        if c == "u":
            digits = self.p[self.i : self.i + 4]
            if len(digits) == 4 and all(d in "0123456789abcdefABCDEF" for d in digits):
                self.i += 4
                return "\\u" + digits
            raise UnsupportedRegex("\\u escape without four hex digits")
        if c.isdigit():
            if c == "0" or in_class:
                return self._octal_escape(c)
            if not in_class:
                return "\\" + c
        if not in_class and c == "k" and self.i < len(self.p) and self.p[self.i] == "<":
            end = self.p.find(">", self.i)
            if end == -1:
                raise InvalidRegex("unterminated \\k<name>")
            name = self.p[self.i + 1 : end]
            self.i = end + 1
            if not name.isidentifier():
                raise UnsupportedRegex(f"\\k<{name}> back-reference form")
            return f"(?P={name})"
        if c.isascii() and c.isalnum():
            raise UnsupportedRegex(f"escape \\{c}")
        return "\\" + c

    def _hex_escape(self) -> str:
        if self.i < len(self.p) and self.p[self.i] == "{":
            end = self.p.find("}", self.i)
            digits = self.p[self.i + 1 : end] if end != -1 else ""
            if not digits or not all(d in "0123456789abcdefABCDEF" for d in digits) or len(digits) > 8:
                raise InvalidRegex("bad \\x{...} escape")
            self.i = end + 1
            return f"\\U{int(digits, 16):08x}"
        digits = ""
        while len(digits) < 2 and self.i < len(self.p) and self.p[self.i] in "0123456789abcdefABCDEF":
            digits += self.p[self.i]
            self.i += 1
        if not digits:
            raise UnsupportedRegex("\\x without hex digits")
        return f"\\x{int(digits, 16):02x}"

    def _octal_escape(self, first: str) -> str:
        digits = first
        while len(digits) < 3 and self.i < len(self.p) and self.p[self.i] in "01234567":
            digits += self.p[self.i]
            self.i += 1
        if any(d not in "01234567" for d in digits):
            raise UnsupportedRegex(f"escape \\{digits}")
        return f"\\x{int(digits, 8):02x}"

    def _char_class(self) -> str:
        parts = ["["]
        self.i += 1
        if self.i < len(self.p) and self.p[self.i] == "^":
            parts.append("^")
            self.i += 1
        first = True
        while True:
            if self.i >= len(self.p):
                raise InvalidRegex("unterminated character class")
            c = self.p[self.i]
            if c == "]" and not first:
                self.i += 1
                parts.append("]")
                return "".join(parts)
            if c == "]":
                parts.append("\\]")
                self.i += 1
            elif c == "\\":
                parts.append(self._escape(in_class=True))
            elif c == "[":
                raise UnsupportedRegex("nested class or POSIX bracket inside [...]")
            elif c == "&" and self.p[self.i : self.i + 2] == "&&":
                raise UnsupportedRegex("class intersection &&")
            else:
                parts.append(c)
                self.i += 1
            first = False

    def _group_open(self) -> str:
        rest = self.p[self.i + 1 :]
        if not rest.startswith("?"):
            self.i += 1
            return "(?:" if self.only_named else "("
        for prefix in ("?:", "?=", "?!", "?<=", "?<!", "?>"):
            if rest.startswith(prefix):
                self.i += 1 + len(prefix)
                return "(" + prefix
        if rest.startswith("?#"):
            end = self.p.find(")", self.i)
            if end == -1:
                raise InvalidRegex("unterminated comment group")
            self.i = end + 1
            return ""
        named = re.match(r"\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')", rest)
        if named:
            self.i += 1 + named.end()
            return f"(?P<{named.group(1) or named.group(2)}>"
        options = re.match(r"\?([imx]*)(?:-([imx]*))?([:)])", rest)
        if options:
            on = "".join(_RUBY_OPTION_FLAGS[o] for o in options.group(1))
            off = "".join(_RUBY_OPTION_FLAGS[o] for o in (options.group(2) or ""))
            scoped = options.group(3) == ":"
            if not scoped and (self.i != 0 or off):
                raise UnsupportedRegex("inline option group (?imx) after the start of the pattern")
            self.i += 1 + options.end()
            flags = on + (f"-{off}" if off else "")
            return f"(?{flags}:" if scoped else f"(?{flags})"
        raise UnsupportedRegex(f"group syntax ({rest[:3]}")
