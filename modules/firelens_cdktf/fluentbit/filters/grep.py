"""The ``grep`` filter: plugins/filter_grep/grep.c, v4.2.2.

- ``set_rules``: every ``Regex`` and ``Exclude`` line, in file order, is
  ``KEY REGEX`` split at the first space (``flb_utils_split(.., ' ', 1)``);
  KEY is a record accessor, ``$`` added when missing. A line without a
  regex, an invalid accessor or a regex that does not compile stops Fluent
  Bit from starting; so does mixing ``Regex`` and ``Exclude`` with
  ``Logical_Op`` ``AND``/``OR``.
- A rule tests the accessor's value with ``flb_ra_regex_match``: only a
  string can match; a missing key or a number, boolean, map or array never
  does.
- ``grep_filter_data`` (``Logical_Op legacy``, the default, also for any
  unknown value): rules in order; a ``Regex`` that does not match drops the
  record, a ``Regex`` that matches *keeps it at once* (later rules are not
  tested), an ``Exclude`` that matches drops it; a record no rule decided
  is kept.
- ``grep_filter_data_and_or``: ``AND`` needs every rule to match, ``OR``
  any; the outcome keeps (``Regex``) or drops (``Exclude``) the record.
"""

from __future__ import annotations

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters._base import EXCLUDED, Run, Step
from firelens_cdktf.fluentbit.onigmo import InvalidRegex, OnigmoRegex, UnsupportedRegex, compile_onigmo
from firelens_cdktf.fluentbit.record_accessor import KeyPath, Pairs, rule_key
from firelens_cdktf.fluentbit.split import utils_split
from firelens_cdktf.fluentbit.unknown import NotSimulated

OPTIONS = ("regex", "exclude", "logical_op")
REGEX, EXCLUDE = "regex", "exclude"
LEGACY, AND, OR = "legacy", "and", "or"


class GrepRule:
    """One ``Regex``/``Exclude`` line."""

    __slots__ = ("kind", "key_text", "key", "pattern", "regex", "regex_note", "line")

    def __init__(
        self,
        kind: str,
        key_text: str,
        key: KeyPath | None,
        pattern: str,
        regex: OnigmoRegex | None,
        regex_note: str | None,
        line: int | None,
    ) -> None:
        self.kind = kind
        self.key_text = key_text
        self.key = key
        self.pattern = pattern
        self.regex = regex
        self.regex_note = regex_note
        self.line = line

    def matches(self, record: Pairs) -> bool:
        """``flb_ra_regex_match(..) > 0``."""
        if self.key is None:
            return False
        subject = self.key.regex_subject(record)
        if subject is None:
            return False
        if self.regex is None:
            raise NotSimulated(f"grep {self.kind} {self.key_text}: {self.regex_note}: results after it are unknown")
        return self.regex.search(subject) is not None


def logical_op(section: Section) -> str:
    """``Logical_Op`` as ``cb_grep_init`` reads it: anything but AND/OR/legacy means legacy."""
    value = (section.get("Logical_Op") or "").lower()
    return value if value in (AND, OR) else LEGACY


def read_rules(section: Section) -> list[GrepRule]:
    """``set_rules``.

    Raises:
        FluentBitSyntaxError: Fluent Bit refuses the rules.
    """
    op = logical_op(section)
    rules: list[GrepRule] = []
    for entry in section.entries:
        kind = entry.key.lower()
        if kind not in (REGEX, EXCLUDE):
            continue
        where = f"{section.describe()} {entry.key} {entry.value!r}"
        if op != LEGACY and rules and rules[-1].kind != kind:
            raise FluentBitSyntaxError(
                where,
                f"Regex and Exclude are both set with Logical_Op {op.upper()}; Fluent Bit refuses to start",
                "use one kind of rule per grep filter",
            )
        parts = utils_split(entry.value, " ", 1) or []
        if len(parts) != 2:
            raise FluentBitSyntaxError(
                where, "is not 'KEY REGEX'; Fluent Bit refuses to start", f"write '{entry.key} log ^ERROR'"
            )
        key_text = parts[0] if parts[0].startswith("$") else "$" + parts[0]
        try:
            key = rule_key(key_text)
        except ValueError as exc:
            raise FluentBitSyntaxError(
                where, f"KEY {parts[0]!r} is not a record accessor ({exc})", "write the key as name or $name['sub']"
            ) from None
        regex: OnigmoRegex | None = None
        note: str | None = None
        try:
            regex = compile_onigmo(parts[1])
        except InvalidRegex as exc:
            raise FluentBitSyntaxError(
                where,
                f"REGEX {parts[1]!r} does not compile ({exc}); Fluent Bit refuses to start",
                "fix the regular expression",
            ) from None
        except UnsupportedRegex as exc:
            note = f"REGEX {parts[1]!r} uses {exc}, which the preview does not model"
        rules.append(GrepRule(kind, key_text, key, parts[1], regex, note, entry.line))
    return rules


def keeps(rules: list[GrepRule], op: str, record: Pairs) -> bool:
    """Whether grep keeps ``record`` (``grep_filter_data`` / ``grep_filter_data_and_or``)."""
    if op == LEGACY:
        for rule in rules:
            if rule.matches(record):
                return rule.kind == REGEX
            if rule.kind == REGEX:
                return False
        return True
    if not rules:
        return True  # the C code would read an unset rule here; no record reaches it in practice
    found = False
    for rule in rules:
        found = rule.matches(record)
        if (op == OR and found) or (op == AND and not found):
            break
    return found if rules[-1].kind == REGEX else not found


class GrepStep(Step):
    """A ``grep`` filter."""

    __slots__ = ("rules", "op")

    def __init__(self, section: Section, name: str, index: int) -> None:
        super().__init__(section, name, index)
        self.op = logical_op(section)
        self.rules = read_rules(section)

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        if keeps(self.rules, self.op, record):
            return record
        run.stop(self, tag, EXCLUDED)
        return None
