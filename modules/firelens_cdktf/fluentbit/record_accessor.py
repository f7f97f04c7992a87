"""Record accessors exactly as Fluent Bit reads and writes them (records themselves: :mod:`.records`).

A *record accessor* (``$name``, ``$payload['label']``, ``$list[0]``) names a
value inside a record; rewrite_tag tests its rules against one and builds new
tags from templates mixing text, accessors, ``$TAG``, ``$TAG[n]`` and regex
captures ``$0``-``$9``. The rules below follow src/flb_record_accessor.c,
src/flb_ra_key.c and src/record_accessor/ra.l, ra.y (fluent/fluent-bit):

- A key is looked up from the *end* of the map, so when a key appears twice
  the last one wins (``ra_key_val_id``).
- Sub-keys are followed only when the top value is a map or an array; every
  level must exist (``subkey_to_object``). When the top value is a string or
  a number the sub-keys are ignored and the top value itself is used: with
  ``$payload['label']`` and ``"payload": "x"`` the value is ``"x"``.
- A regex is only ever tested against a string: numbers, booleans, null,
  maps, arrays and missing keys never match (``flb_ra_key_regex_match``).
- In a tag template a value is written as: strings as-is, integers in
  decimal, floats with ``%f`` (``1.5`` -> ``1.500000``), booleans as
  ``true``/``false``, null as ``null``, maps as compact JSON; arrays and
  missing keys as nothing (``ra_translate_keymap``).
- ``$TAG[n]`` is the n-th dot-separated part of the tag, nothing past the
  last part (``ra_translate_tag_part``).
- ``$n`` is the n-th capture of the rule's regex, ``$0`` the whole match; a
  regex without any group yields no captures at all, so even ``$0`` is empty
  (``flb_regex_do`` frees the region when ``num_regs - 1 == 0``).
- Template text is split as ``ra_parse_buffer`` does it, quirks included: a
  key ends at ``.``, space, ``,`` or ``"`` outside quotes; a ``$`` right
  after ``$TAG`` or ``$TAG[n]`` is taken as text; one separator character
  left at the very end after a key is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from firelens_cdktf.fluentbit.records import (
    MISSING,
    Missing,
    Pairs,
    Value,
    decode_json,
    encode_json,
    freeze,
    from_python,
    is_array,
    json_string,
    last_values,
    pairs_hook,
    to_python,
)

__all__ = [
    "MISSING",
    "Capture",
    "KeyPath",
    "KeyRef",
    "Literal",
    "Missing",
    "Pairs",
    "TagPart",
    "Template",
    "TemplatePart",
    "Value",
    "WholeTag",
    "decode_json",
    "encode_json",
    "freeze",
    "from_python",
    "is_array",
    "json_string",
    "pairs_hook",
    "parse_accessor",
    "rule_key",
    "tag_text",
    "to_python",
    "walk_subkeys",
]


@dataclass(frozen=True)
class KeyPath:
    """A record accessor: a top-level key and the sub-keys under it.

    String sub-keys select map entries, integer sub-keys select array items.

    Example:
        >>> KeyPath.from_dotted("payload.label").accessor
        "$payload['label']"
    """

    key: str
    subkeys: tuple[str | int, ...] = ()

    @classmethod
    def from_dotted(cls, path: str) -> KeyPath:
        """Read a route field such as ``payload.label`` (dot-separated map keys).

        Raises:
            ValueError: a part is empty or cannot be written as a record accessor.
        """
        parts = path.split(".")
        if any(not part for part in parts):
            raise ValueError(f"empty part in {path!r}")
        head, *rest = parts
        if not _is_identifier(head):
            raise ValueError(
                f"top-level key {head!r} must start with a letter or '_' and hold only letters, digits, '_'"
            )
        for part in rest:
            if not all(c.isascii() and (c.isalnum() or c in "_-") for c in part):
                raise ValueError(f"sub-key {part!r} may hold only letters, digits, '_' and '-'")
        return cls(head, tuple(rest))

    @property
    def accessor(self) -> str:
        """The record accessor text, e.g. ``$payload['label']``."""
        text = "$" + self.key
        for sub in self.subkeys:
            text += f"[{sub}]" if isinstance(sub, int) else "['" + sub.replace("'", "''") + "']"
        return text

    @property
    def dotted(self) -> str:
        """The path written with dots, for messages and diagrams."""
        return ".".join([self.key, *(str(s) for s in self.subkeys)])

    def resolve(self, record: Value | Missing) -> Value | Missing:
        """The value this accessor selects in ``record``, or ``MISSING``."""
        if not isinstance(record, Pairs):
            return MISSING
        top = record.last(self.key)
        if top is MISSING:
            return MISSING
        if isinstance(top, Pairs | tuple) and self.subkeys:
            return _walk(top, self.subkeys)
        # a scalar top value ignores the sub-keys (flb_ra_key_regex_match)
        return top

    def regex_subject(self, record: Value | Missing) -> str | None:
        """The string a rewrite_tag regex is tested against; ``None``: the rule cannot match."""
        value = self.resolve(record)
        return value if isinstance(value, str) else None


def walk_subkeys(value: Value, subkeys: tuple[str | int, ...]) -> Value | Missing:
    """``subkey_to_object``: the value the sub-keys select inside a map or array, or ``MISSING``."""
    return _walk(value, subkeys)


def _walk(value: Value, subkeys: tuple[str | int, ...]) -> Value | Missing:
    current: Value = value
    matched = 0
    for sub in subkeys:
        if isinstance(sub, int):
            if not is_array(current) or sub >= len(current):  # type: ignore[arg-type]
                return MISSING
            current = current[sub]  # type: ignore[index]
            matched += 1
            continue
        if not isinstance(current, Pairs):
            break
        found = last_values(current).get(sub, MISSING)  # Pairs.last, from the map's dict (kept for other readers)
        if isinstance(found, Missing):
            continue
        current = found
        matched += 1
    return current if matched == len(subkeys) else MISSING


def tag_text(value: Value | Missing) -> str:
    """How a record value is written into a tag (``ra_translate_keymap``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:f}"  # C's "%f"
    if value is None:
        return "null"
    if isinstance(value, Pairs):
        return encode_json(value)
    return ""  # arrays and missing keys


def _is_identifier(text: str) -> bool:
    return (
        bool(text)
        and (text[0].isascii() and (text[0].isalpha() or text[0] == "_"))
        and all(c.isascii() and (c.isalnum() or c == "_") for c in text)
    )


def parse_accessor(text: str) -> KeyPath:
    """Parse ``$key['sub'][0]`` the way the record-accessor grammar does.

    Raises:
        ValueError: Fluent Bit would refuse it ("invalid record accessor").
    """
    tokens = list(_lex(text))
    if len(tokens) < 2 or tokens[0] != ("$", "$") or tokens[1][0] != "ident":
        raise ValueError(f"{text!r} is not $name followed by ['key'] or [index] parts")
    key = tokens[1][1]
    subkeys: list[str | int] = []
    rest = tokens[2:]
    while rest:
        if len(rest) < 3 or rest[0] != ("[", "[") or rest[2] != ("]", "]") or rest[1][0] not in ("string", "int"):
            raise ValueError(f"{text!r}: after ${key} only ['key'] or [index] parts may follow")
        kind, raw = rest[1]
        subkeys.append(int(raw) if kind == "int" else raw)
        rest = rest[3:]
    return KeyPath(key, tuple(subkeys))


def _lex(text: str) -> Iterator[tuple[str, str]]:
    """Tokens of src/record_accessor/ra.l; characters it does not know are skipped."""
    i = 0
    while i < len(text):
        c = text[i]
        if c in " \t\n":
            i += 1
        elif c.isdigit():
            j = i + 1
            if c != "0":
                while j < len(text) and text[j].isdigit():
                    j += 1
            yield ("int", text[i:j])
            i = j
        elif c == "'":
            j, chars = i + 1, []
            while j < len(text):
                if text[j] == "'" and text[j + 1 : j + 2] == "'":
                    chars.append("'")
                    j += 2
                elif text[j] == "'":
                    break
                else:
                    chars.append(text[j])
                    j += 1
            if j >= len(text):
                raise ValueError(f"{text!r}: unterminated quoted key")
            yield ("string", "".join(chars))
            i = j + 1
        elif c.isascii() and (c.isalpha() or c == "_"):
            j = i + 1
            # ra.l: IDENTIFIER is [_A-Za-z][A-Za-z0-9_.\-/]*
            while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] in "_.-/"):
                j += 1
            yield ("ident", text[i:j])
            i = j
        elif c in "$[].,;":
            yield (c, c)
            i += 1
        else:
            i += 1  # ra.l logs "bad input character" and goes on


# --- templates ---------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """Text copied into the tag."""

    text: str


@dataclass(frozen=True)
class WholeTag:
    """``$TAG``: the incoming record's tag."""


@dataclass(frozen=True)
class TagPart:
    """``$TAG[n]``: the n-th dot-separated part of the incoming tag."""

    index: int


@dataclass(frozen=True)
class Capture:
    """``$n``: the n-th capture group of the rule's regex (``$0``: whole match)."""

    index: int


@dataclass(frozen=True)
class KeyRef:
    """A record accessor whose value is written into the tag."""

    path: KeyPath


TemplatePart: TypeAlias = Literal | WholeTag | TagPart | Capture | KeyRef


def _atoi(text: str) -> int:
    """C ``atoi``: optional blanks and sign, then digits; 0 when there are none."""
    text = text.lstrip(" \t\n\r\f\v")
    sign = 1
    if text and text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    digits = ""
    for c in text:
        if not c.isdigit():
            break
        digits += c
    return sign * int(digits) if digits else 0


@dataclass(frozen=True)
class Template:
    """A rewrite_tag NEW_TAG (or any record accessor string), split into parts.

    Example:
        >>> t = Template.parse("logdata.$payload['label']")
        >>> t.render("app", Pairs((("payload", Pairs((("label", "x"),))),)), None)
        'logdata.x'
    """

    source: str
    parts: tuple[TemplatePart, ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        """Split ``text`` as ``ra_parse_buffer`` does.

        Raises:
            ValueError: a ``$key`` part is not a valid record accessor (Fluent Bit
            fails to start with "could not compose tag").
        """
        parts: list[TemplatePart] = []
        length = len(text)
        pre = end = i = 0
        while i < length:
            if text[i] != "$":
                i += 1
                continue
            if i > pre:
                parts.append(Literal(text[pre:i]))
            pre = i
            n = i + 1
            if n >= length:
                break
            if text[n].isdigit():
                parts.append(Capture(_atoi(text[n:])))
                i += 1
                pre = i + 1
                i += 1
                continue
            if n + 2 < length and text[n : n + 3] == "TAG":
                if n + 4 < length and text[n + 3] == "[":
                    t = n + 3
                    close = text.find("]", t)
                    offset = close - t if close != -1 else -1
                    if offset == 0:
                        offset = -1
                    parts.append(TagPart(_atoi(text[t + 1 :])))
                    i = t + offset + 1
                    pre = i
                    i += 1
                    continue
                parts.append(WholeTag())
                i = pre = n + 3
                i += 1
                continue
            quotes = 0
            end = i + 1
            while end < length:
                c = text[end]
                if c == "'":
                    quotes += 1
                elif c == "." and quotes % 2:
                    pass
                elif c in '. ,"':
                    break
                end += 1
            parts.append(KeyRef(parse_accessor(text[i:end])))
            pre = i = end
            i += 1
        if ((i - 1 > end and pre < i) or i == 1) and text[pre:]:
            parts.append(Literal(text[pre:]))
        return cls(text, tuple(parts))

    def render(self, tag: str, record: Value | Missing, captures: Sequence[str | None] | None) -> str:
        """Build the new tag for ``record`` arriving with ``tag``.

        ``captures`` are the regex groups (index 0 = whole match), or ``None``
        when the regex has no group (then ``$0``-``$9`` are all empty).
        """
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Literal):
                out.append(part.text)
            elif isinstance(part, KeyRef):
                out.append(tag_text(part.path.resolve(record)))
            elif isinstance(part, WholeTag):
                out.append(tag)
            elif isinstance(part, TagPart):
                pieces = tag.split(".")
                if 0 <= part.index < len(pieces):
                    out.append(pieces[part.index])
            elif captures is not None and 0 <= part.index < len(captures):
                out.append(captures[part.index] or "")
        return "".join(out)

    def glob(self, incoming_match: str = "*") -> str:
        """This template as a ``Match``-style glob: fixed text kept, values as ``*``.

        ``$TAG`` becomes ``incoming_match`` (the incoming tag matched it).
        """
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Literal):
                out.append(part.text)
            elif isinstance(part, WholeTag):
                out.append(incoming_match)
            else:
                out.append("*")
        glob = "".join(out)
        while "**" in glob:
            glob = glob.replace("**", "*")
        return glob

    @property
    def literal_text(self) -> str:
        """The fixed text of the template, concatenated."""
        return "".join(p.text for p in self.parts if isinstance(p, Literal))

    @property
    def record_keys(self) -> tuple[KeyPath, ...]:
        """Record accessors whose values end up in the tag."""
        return tuple(p.path for p in self.parts if isinstance(p, KeyRef))

    @property
    def is_fixed(self) -> bool:
        """Whether the tag is the same for every record (text and ``$TAG`` only)."""
        return all(isinstance(p, Literal | WholeTag | TagPart) for p in self.parts)


def rule_key(text: str) -> KeyPath | None:
    """The key a rewrite_tag rule tests (first part of the KEY template).

    Plain text without ``$`` names a top-level key, as Fluent Bit treats it;
    ``$TAG`` or ``$1`` as KEY never match (``None``).

    Raises:
        ValueError: the KEY is not a valid record accessor.
    """
    template = Template.parse(text)
    if not template.parts:
        return None
    first = template.parts[0]
    if isinstance(first, KeyRef):
        return first.path
    if isinstance(first, Literal):
        return KeyPath(first.text)
    return None
