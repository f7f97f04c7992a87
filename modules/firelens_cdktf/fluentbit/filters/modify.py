"""The ``modify`` filter: plugins/filter_modify/modify.c, v4.2.2.

``setup`` reads every option in file order. ``Condition`` lines become
conditions; every other option becomes a rule, its value split by
``flb_utils_split_quoted(.., ' ', 3)``: one part for ``Remove``,
``Remove_wildcard``, ``Remove_regex``, ``Move_to_start``, ``Move_to_end``,
two for ``Rename``, ``Hard_rename``, ``Add``, ``Set``, ``Copy``,
``Hard_copy``; any other name or count stops Fluent Bit, except *three*
parts, which leave the rule type at its zero value, ``Rename`` (first part
to last part). Every rule's key and value are compiled as regexes, so one
that does not compile stops Fluent Bit too.

``apply_modifying_rules``: when every condition holds on the record as it
arrived, the rules run in order, each on the previous one's result:

- ``Rename``: every key equal to KEY renamed, unless a key equal to the new
  name exists. ``Hard_rename``: the same, dropping existing keys of the new
  name (so ``Hard_rename a a`` removes ``a``).
- ``Add``: appended when no key equal to KEY exists. ``Set``: keys equal to
  KEY removed, then KEY appended.
- ``Copy``: exactly one key equal to KEY, none equal to the target: the copy
  goes right after it. ``Hard_copy``: also when one target key exists
  (dropped), not when two do.
- ``Remove``: keys equal to KEY; ``Remove_wildcard``: keys starting with KEY
  (no ``*`` needed); ``Remove_regex``: keys the regex finds.
- ``Move_to_start``/``Move_to_end``: keys starting with KEY, in their order.

Conditions (all must hold): ``Key_exists``/``Key_does_not_exist`` (record
accessor; a path through a string or number counts as existing),
``A_key_matches``/``No_key_matches`` (top-level key names),
``Key_value_equals``/``Key_value_does_not_equal`` (string values; the
``does_not`` forms need the key), ``Key_value_matches``/
``Key_value_does_not_match``, ``Matching_keys_have_matching_values``/
``Matching_keys_do_not_have_matching_values``. Regexes test strings, and
booleans as ``true``/``false``.
"""

from __future__ import annotations

from collections.abc import Callable

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters._base import WARNING, Run, Step
from firelens_cdktf.fluentbit.onigmo import InvalidRegex, OnigmoRegex, UnsupportedRegex, compile_onigmo
from firelens_cdktf.fluentbit.record_accessor import MISSING, KeyPath, Pairs, Value, rule_key
from firelens_cdktf.fluentbit.split import utils_split
from firelens_cdktf.fluentbit.unknown import NotSimulated

RULES_ONE = ("remove", "remove_wildcard", "remove_regex", "move_to_start", "move_to_end")
RULES_TWO = ("rename", "hard_rename", "add", "set", "copy", "hard_copy")
CONDITIONS = (
    "key_exists",
    "key_does_not_exist",
    "a_key_matches",
    "no_key_matches",
    "key_value_equals",
    "key_value_does_not_equal",
    "key_value_matches",
    "key_value_does_not_match",
    "matching_keys_have_matching_values",
    "matching_keys_do_not_have_matching_values",
)
OPTIONS = (*RULES_ONE, *RULES_TWO, "condition")
_A_REGEX = {
    "a_key_matches",
    "no_key_matches",
    "matching_keys_have_matching_values",
    "matching_keys_do_not_have_matching_values",
}
_B_REGEX = {
    "key_value_matches",
    "key_value_does_not_match",
    "matching_keys_have_matching_values",
    "matching_keys_do_not_have_matching_values",
}


def _regex(pattern: str, where: str, *, required: bool) -> OnigmoRegex | None:
    try:
        return compile_onigmo(pattern)
    except InvalidRegex as exc:
        if required:
            raise FluentBitSyntaxError(
                where,
                f"{pattern!r} does not compile as a regex ({exc}); Fluent Bit "
                "compiles every rule's key and value and refuses to start",
                "escape the regex characters, or quote the value",
            ) from None
        raise NotSimulated(
            f"{where}: regex {pattern!r} does not compile ({exc}) and Fluent Bit does not check "
            "it at start-up: results after it are unknown"
        ) from None
    except UnsupportedRegex as exc:
        return _Deferred(pattern, str(exc), where)  # type: ignore[return-value]


class _Deferred:
    """A regex whose syntax is not modelled: fine until it has to decide something."""

    def __init__(self, pattern: str, reason: str, where: str) -> None:
        self.pattern, self.reason, self.where = pattern, reason, where

    def search(self, value: str) -> object:
        raise NotSimulated(
            f"{self.where}: regex {self.pattern!r} uses {self.reason}, which the preview does not "
            "model: results after it are unknown"
        )


def _regex_text(value: Value) -> str | None:
    """``helper_msgpack_object_matches_regex``: strings as they are, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else None


def _finds(regex: OnigmoRegex | None, value: Value) -> bool:
    text = _regex_text(value)
    return regex is not None and text is not None and regex.search(text) is not None


class Rule:
    """One rule line, ready to run."""

    __slots__ = ("kind", "key", "value", "key_regex", "text", "line")

    def __init__(
        self, kind: str, key: str, value: str, key_regex: OnigmoRegex | None, text: str, line: int | None
    ) -> None:
        self.kind, self.key, self.value, self.key_regex, self.text, self.line = kind, key, value, key_regex, text, line


class Condition:
    """One ``Condition`` line."""

    __slots__ = ("kind", "a", "b", "path", "a_regex", "b_regex", "text")

    def __init__(
        self,
        kind: str,
        a: str,
        b: str | None,
        path: KeyPath | None,
        a_regex: OnigmoRegex | None,
        b_regex: OnigmoRegex | None,
        text: str,
    ) -> None:
        self.kind, self.a, self.b, self.path = kind, a, b, path
        self.a_regex, self.b_regex, self.text = a_regex, b_regex, text

    def holds(self, record: Pairs) -> bool:
        kind = self.kind
        if kind in ("key_exists", "key_does_not_exist"):
            return self._exists(record) == (kind == "key_exists")
        if kind in ("a_key_matches", "no_key_matches"):
            found = any(_finds(self.a_regex, k) for k, _ in record)
            return found == (kind == "a_key_matches")
        if kind == "key_value_equals":
            return self._equals(record)
        if kind == "key_value_does_not_equal":
            return self._exists(record) and not self._equals(record)
        if kind == "key_value_matches":
            return self._value_matches(record)
        if kind == "key_value_does_not_match":
            return self._exists(record) and not self._value_matches(record)
        every = all(_finds(self.b_regex, v) for k, v in record if _finds(self.a_regex, k))
        return every == (kind == "matching_keys_have_matching_values")

    def _value(self, record: Pairs) -> Value | object:
        """``flb_ra_get_kv_pair``: sub-keys are followed only through maps and arrays."""
        return MISSING if self.path is None else self.path.resolve(record)

    def _exists(self, record: Pairs) -> bool:
        return self._value(record) is not MISSING

    def _equals(self, record: Pairs) -> bool:
        value = self._value(record)
        return isinstance(value, str) and value == (self.b or "")

    def _value_matches(self, record: Pairs) -> bool:
        value = self._value(record)
        return value is not MISSING and _finds(self.b_regex, value)  # type: ignore[arg-type]


def read(section: Section) -> tuple[list[Condition], list[Rule], list[str]]:
    """``setup``: the conditions, the rules, and warnings about lines Fluent Bit reads unexpectedly.

    Raises:
        FluentBitSyntaxError: Fluent Bit refuses the filter.
    """
    conditions: list[Condition] = []
    rules: list[Rule] = []
    warnings: list[str] = []
    for entry in section.entries:
        option = entry.key.lower()
        if option in ("name", "match", "match_regex", "alias", "log_level", "log_suppress_interval"):
            continue
        where = f"{section.describe()} {entry.key} {entry.value!r}"
        parts = utils_split(entry.value, " ", 3, quoted=True)
        if parts is None or not 0 < len(parts) <= 3:
            raise FluentBitSyntaxError(
                where,
                "has an unterminated quote or more than three parts; Fluent Bit refuses to start",
                "quote values that contain spaces",
            )
        if option == "condition":
            conditions.append(_condition(parts, entry.value, where))
            continue
        kind = option
        if len(parts) == 3:
            warnings.append(
                f"{entry.key} {entry.value!r} has three parts, so Fluent Bit 4.2.2 runs it as "
                f"Rename {parts[0]} {parts[2]} (modify.c leaves the rule type at RENAME)"
            )
            kind = "rename"
        elif (len(parts) == 1 and option not in RULES_ONE) or (len(parts) == 2 and option not in RULES_TWO):
            raise FluentBitSyntaxError(
                where,
                f"is not a modify operation with {len(parts)} part(s) (option "
                f"{entry.key!r}); Fluent Bit refuses to start",
                "use Set/Add/Rename/Copy KEY VALUE or Remove/Move_to_start KEY",
            )
        key, value = parts[0], parts[-1]
        key_regex = _regex(key, where, required=True)
        _regex(value, where, required=True)
        rules.append(Rule(kind, key, value, key_regex, f"{entry.key} {entry.value}", entry.line))
    return conditions, rules, warnings


def _condition(parts: list[str], text: str, where: str) -> Condition:
    kind = parts[0].lower()
    if kind not in CONDITIONS or len(parts) < 2:
        raise FluentBitSyntaxError(
            where,
            f"{parts[0]!r} is not a modify condition; Fluent Bit refuses to start",
            f"use one of {', '.join(CONDITIONS)}",
        )
    a = parts[1]
    b = parts[2] if len(parts) == 3 else None
    try:
        path = rule_key(a)
    except ValueError:
        path = None  # flb_ra_create fails; only the conditions that read it care
        if kind in (
            "key_exists",
            "key_does_not_exist",
            "key_value_equals",
            "key_value_does_not_equal",
            "key_value_matches",
            "key_value_does_not_match",
        ):
            raise NotSimulated(
                f"{where}: {a!r} is not a record accessor; Fluent Bit does not check it at start-up "
                "and fails when it evaluates the condition: results after it are unknown"
            ) from None
    if kind in _A_REGEX and not a:
        raise FluentBitSyntaxError(where, "has no key regex; Fluent Bit refuses to start", "add the regex")
    if kind in _B_REGEX and not b:
        raise FluentBitSyntaxError(where, "has no value regex; Fluent Bit refuses to start", "add the regex")
    a_regex = _regex(a, where, required=False) if kind in _A_REGEX else None
    b_regex = _regex(b, where, required=False) if kind in _B_REGEX and b else None
    return Condition(kind, a, b, path, a_regex, b_regex, text)


# --- rules -----------------------------------------------------------------------------------

Items = list[tuple[str, Value]]


def _rename(items: Items, rule: Rule) -> Items:
    if not any(k == rule.key for k, _ in items) or any(k == rule.value for k, _ in items):
        return items
    return [(rule.value if k == rule.key else k, v) for k, v in items]


def _hard_rename(items: Items, rule: Rule) -> Items:
    if not any(k == rule.key for k, _ in items):
        return items
    return [(rule.value if k == rule.key else k, v) for k, v in items if k != rule.value]


def _add(items: Items, rule: Rule) -> Items:
    return items if any(k == rule.key for k, _ in items) else [*items, (rule.key, rule.value)]


def _set(items: Items, rule: Rule) -> Items:
    return [*((k, v) for k, v in items if k != rule.key), (rule.key, rule.value)]


def _copy(items: Items, rule: Rule, *, hard: bool) -> Items:
    sources = sum(1 for k, _ in items if k == rule.key)
    targets = sum(1 for k, _ in items if k == rule.value)
    if sources != 1 or targets > (1 if hard else 0):
        return items
    out: Items = []
    for k, v in items:
        if hard and targets == 1 and k == rule.value:
            continue
        out.append((k, v))
        if k == rule.key:
            out.append((rule.value, v))
    return out


def _remove(items: Items, rule: Rule) -> Items:
    return [(k, v) for k, v in items if k != rule.key]


def _remove_wildcard(items: Items, rule: Rule) -> Items:
    return [(k, v) for k, v in items if not k.startswith(rule.key)]


def _remove_regex(items: Items, rule: Rule) -> Items:
    return [(k, v) for k, v in items if not _finds(rule.key_regex, k)]


def _move(items: Items, rule: Rule, *, to_start: bool) -> Items:
    moved = [(k, v) for k, v in items if k.startswith(rule.key)]
    if not moved:
        return items
    rest = [(k, v) for k, v in items if not k.startswith(rule.key)]
    return moved + rest if to_start else rest + moved


_APPLY: dict[str, Callable[[Items, Rule], Items]] = {
    "rename": _rename,
    "hard_rename": _hard_rename,
    "add": _add,
    "set": _set,
    "copy": lambda items, rule: _copy(items, rule, hard=False),
    "hard_copy": lambda items, rule: _copy(items, rule, hard=True),
    "remove": _remove,
    "remove_wildcard": _remove_wildcard,
    "remove_regex": _remove_regex,
    "move_to_start": lambda items, rule: _move(items, rule, to_start=True),
    "move_to_end": lambda items, rule: _move(items, rule, to_start=False),
}


class ModifyStep(Step):
    """A ``modify`` filter."""

    __slots__ = ("conditions", "rules", "warnings")

    def __init__(self, section: Section, name: str, index: int) -> None:
        super().__init__(section, name, index)
        self.conditions, self.rules, self.warnings = read(section)

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        for warning in self.warnings:
            run.note(WARNING, f"{self.label}: {warning}")
        if not all(condition.holds(record) for condition in self.conditions):
            return record
        items: Items = list(record)
        for rule in self.rules:
            items = _APPLY[rule.kind](items, rule)
        return Pairs.trusted(tuple(items))
