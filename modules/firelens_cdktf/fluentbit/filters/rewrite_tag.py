"""The ``rewrite_tag`` filter: plugins/filter_rewrite_tag/rewrite_tag.c, v4.2.2.

Rules run in order and the first match wins (``process_record``); a rule
tests its KEY's value with its regex (strings only, see
:mod:`firelens_cdktf.fluentbit.record_accessor`), builds NEW_TAG and emits a
copy of the record as it is at this filter. The copy enters the pipeline
again from the *start*, FireLens's filter included (the emitter is an input
plugin, ``in_emitter_add_record``). KEEP false drops the original.
"""

from __future__ import annotations

import re

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters._base import WARNING, Run, Step
from firelens_cdktf.fluentbit.limits import TAG_ALLOWED_CHARACTERS
from firelens_cdktf.fluentbit.plugins import RewriteRule, RuleError, parse_rewrite_rule
from firelens_cdktf.fluentbit.record_accessor import Literal, Missing, Pairs, Value, walk_subkeys
from firelens_cdktf.fluentbit.records import LAST_VALUES_ATTRIBUTE, last_values
from firelens_cdktf.fluentbit.unknown import NotSimulated

#: Any character a tag may not hold.
_FORBIDDEN = re.compile("[^" + re.escape("".join(sorted(TAG_ALLOWED_CHARACTERS))) + "]")

OPTIONS = ("rule", "emitter_name", "emitter_storage.type", "emitter_mem_buf_limit")


class _Compiled:
    """One rule, with what the hot path needs looked up once."""

    __slots__ = ("rule", "key", "subkeys", "search", "constant_tag", "constant_tag_allowed")

    def __init__(self, rule: RewriteRule) -> None:
        self.rule = rule
        self.key = rule.key.key if rule.key is not None else None
        self.subkeys = rule.key.subkeys if rule.key is not None else ()
        self.search = rule.regex.compiled.search if rule.regex is not None else None
        # a NEW_TAG of plain text is the same for every record: rendered once
        self.constant_tag = (
            rule.template.literal_text if all(isinstance(part, Literal) for part in rule.template.parts) else None
        )
        # ... and so is whether a tag may hold its characters
        self.constant_tag_allowed = bool(self.constant_tag) and not _FORBIDDEN.search(self.constant_tag or "")


class RewriteTagStep(Step):
    """A ``rewrite_tag`` filter."""

    __slots__ = ("rules", "_compiled")

    def __init__(self, section: Section, name: str, index: int) -> None:
        super().__init__(section, name, index)
        self.rules: list[RewriteRule] = []
        for text in section.get_all("Rule"):
            try:
                self.rules.append(parse_rewrite_rule(text))
            except RuleError as exc:
                raise FluentBitSyntaxError(
                    section.describe(), f"Rule {text!r} {exc}", "fix the rule; Fluent Bit refuses to start with it"
                ) from None
        self._compiled = [_Compiled(rule) for rule in self.rules]

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        for compiled in self._compiled:
            name = compiled.key
            if name is None:
                continue  # $TAG or $0 as KEY: flb_ra_regex_match finds no key
            # the last entry of the top-level key (record accessors read from the end); absent: not a string
            # last_values(record), its kept dict read inline: no call for a map read before
            value = (getattr(record, LAST_VALUES_ATTRIBUTE, None) or last_values(record)).get(name)
            subject: Value | Missing = value
            if compiled.subkeys and type(value) in (Pairs, tuple):
                subject = walk_subkeys(value, compiled.subkeys)
            if type(subject) is not str:
                continue
            rule = compiled.rule
            if compiled.search is None:
                raise NotSimulated(f"{self.label}: {rule.regex_note}: results after it are unknown")
            found = compiled.search(subject)
            if found is None:
                continue
            new_tag = compiled.constant_tag
            if new_tag is None:
                captures = [found.group(0), *found.groups()] if rule.regex.groups else None  # type: ignore[union-attr]
                new_tag = rule.template.render(tag, record, captures)
                allowed = bool(new_tag) and not _FORBIDDEN.search(new_tag)
            else:
                allowed = compiled.constant_tag_allowed
            if not allowed:
                bad = "".join(dict.fromkeys(c for c in new_tag if c not in TAG_ALLOWED_CHARACTERS))
                run.note(
                    WARNING,
                    f"{self.label} made tag {new_tag!r}, which holds characters a tag may not contain ({bad!r})",
                )
            run.emit(self, new_tag, record)
            return record if rule.keep else None
        return record
