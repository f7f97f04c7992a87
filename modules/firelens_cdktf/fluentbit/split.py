"""Fluent Bit's ways of splitting a setting's value into parts, quirks included.

Each plugin splits its values with one of these helpers, and the parts it
sees decide what it does (``Record a b c`` is skipped by record_modifier
but ``Add a b c`` becomes a rename in modify), so the preview and the
linter split exactly as they do. Sources (fluent/fluent-bit v4.2.2):

- :func:`utils_split`: src/flb_utils.c ``flb_utils_split`` and
  ``flb_utils_split_quoted`` (``split``/``next_token``): leading separators
  are skipped; with ``max_split`` reached the rest of the line is one last
  part, taken verbatim (it may start with a separator); the quoted variant
  reads ``"..."`` or ``'...'`` parts where ``\\"``, ``\\'`` and ``\\\\`` are
  escapes, and an unterminated quote fails the whole split.
- :func:`slist_split_tokens`: src/flb_slist.c ``flb_slist_split_tokens``
  (``token_retrieve``), behind the ``SLIST_n`` config-map types: spaces
  separate, ``"..."`` quotes a part in which only ``\\"`` is an escape; with
  ``max_split`` parts read, what is left (spaces trimmed in front) is one
  more part.
- :func:`slist_split_string`: src/flb_slist.c ``flb_slist_split_string``
  with no limit, behind the ``CLIST`` type and multiline rule states: parts
  are trimmed of spaces and empty parts are skipped.
"""

from __future__ import annotations


def utils_split(line: str, separator: str, max_split: int, *, quoted: bool = False) -> list[str] | None:
    """``flb_utils_split`` (``quoted=False``) or ``flb_utils_split_quoted``.

    Returns ``None`` where Fluent Bit's split fails (an unterminated quote).
    """
    parts: list[str] = []
    i = 0
    length = len(line)
    while i < length:
        token = _next_token(line, i, separator, quoted)
        if token is None:
            return None
        text, end = token
        parts.append(text)
        i = end + 1
        if 0 < max_split <= len(parts) and i < length:
            parts.append(line[i:])
            break
    return parts


def _next_token(line: str, start: int, separator: str, quoted: bool) -> tuple[str, int] | None:
    length = len(line)
    j = start
    while j < length and line[j] == separator:
        j += 1
    if not quoted or j >= length or line[j] not in "\"'":
        found = line.find(separator, j)
        end = length if found == -1 else found
        return line[j:end], end
    quote = line[j]
    k = j + 1
    chars: list[str] = []
    while True:
        if k >= length:
            return None
        c = line[k]
        if c == "\\" and k + 1 < length and line[k + 1] in (quote, "\\"):
            chars.append(line[k + 1])
            k += 2
            continue
        if c == quote:
            return "".join(chars), k
        chars.append(c)
        k += 1


def slist_split_tokens(text: str, max_split: int = 0) -> list[str]:
    """``flb_slist_split_tokens``: space-separated parts, ``"..."`` quoting."""
    tokens: list[str] = []
    position: int | None = 0
    while position is not None:
        token, position = _token_retrieve(text, position)
        if token is None:
            break
        tokens.append(token)
        if position is None:
            break
        if 0 < max_split <= len(tokens):
            rest = position
            while rest < len(text) and text[rest] == " ":
                rest += 1
            if rest < len(text):
                tokens.append(text[rest:])
            break
    return tokens


def _token_retrieve(text: str, position: int) -> tuple[str | None, int | None]:
    length = len(text)
    p = position
    while p < length and text[p] == " ":
        p += 1
    start = p
    quoted = False
    if p < length and text[p] == '"':
        quoted = True
        p += 1
        start = p
        while True:
            while p < length and text[p] != '"':
                p += 1
            if p >= length or text[p - 1] != "\\":
                break
            p += 1
    else:
        while p < length and text[p] != " ":
            p += 1
    if p < length:
        token = text[start:p]
        if quoted:
            token = token.replace('\\"', '"')
        p += 1
        while p < length and text[p] == " ":
            p += 1
        return token, p
    return (text[start:] if p > start else None), None


def slist_split_string(text: str, separator: str) -> list[str]:
    """``flb_slist_split_string`` without a part limit: parts trimmed of spaces, empty ones skipped."""
    parts: list[str] = []
    for part in text.split(separator):
        part = part.strip(" ")
        if part:
            parts.append(part)
    return parts


def flb_utils_bool(text: str) -> int:
    """src/flb_utils.c ``flb_utils_bool``: 1 for true/on/yes, 0 for false/off/no, -1 otherwise.

    Several settings keep the -1 and later test it with ``if (x)`` (true) or
    ``x == FLB_TRUE`` (false), so callers get the three values.
    """
    lowered = text.lower()
    if lowered in ("true", "on", "yes"):
        return 1
    if lowered in ("false", "off", "no"):
        return 0
    return -1
