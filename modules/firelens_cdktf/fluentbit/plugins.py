"""How Fluent Bit reads the plugin settings the linter and preview reason about.

Shared by :mod:`firelens_cdktf.lint.checks` and :mod:`firelens_cdktf.fluentbit.simulator` so both
interpret a config identically. Sources (fluent/fluent-bit):

- ``Match``/``Match_Regex``: src/flb_router.c ``router_match``: a
  ``Match_Regex`` is tried first with ``onig_match`` (anchored at the start
  of the tag, not at its end, and an empty match does not count); otherwise
  the ``Match`` wildcard decides. A filter with neither is unloaded
  (src/flb_filter.c ``flb_filter_init``); an output with neither gets nothing.
- Booleans: src/flb_utils.c ``flb_utils_bool``: true/on/yes, false/off/no
  (any case); anything else is neither.
- rewrite_tag ``Rule``: a 4-part space-separated list
  (``FLB_CONFIG_MAP_SLIST_4``, split by ``flb_slist_split_tokens``: spaces
  only, ``"..."`` quotes a part, ``\\"`` inside quotes is a quote).
"""

from __future__ import annotations

from dataclasses import dataclass

from firelens_cdktf.fluentbit import tag_match as _glob
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.onigmo import InvalidRegex, OnigmoRegex, UnsupportedRegex, compile_onigmo
from firelens_cdktf.fluentbit.record_accessor import KeyPath, Template, rule_key
from firelens_cdktf.fluentbit.split import slist_split_tokens

TRUE_WORDS = ("true", "on", "yes")
FALSE_WORDS = ("false", "off", "no")


def flb_bool(text: str | None) -> bool | None:
    """Fluent Bit's reading of a boolean setting; ``None`` when it is neither."""
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def split_tokens(text: str) -> list[str]:
    """Split a rewrite_tag ``Rule`` as its config map (``FLB_CONFIG_MAP_SLIST_4``) does.

    A fifth part holds the rest of the line, so a rule with more than four
    parts still has the wrong count.
    """
    return slist_split_tokens(text, 4)


class RuleError(ValueError):
    """A rewrite_tag rule Fluent Bit would refuse at start-up."""


class RegexError(RuleError):
    """A rule's REGEX or a ``Match_Regex`` that does not compile."""


@dataclass(frozen=True)
class RewriteRule:
    """One ``Rule $KEY REGEX NEW_TAG KEEP`` line, interpreted.

    ``regex`` is ``None`` when the pattern uses syntax the tools do not
    model (``regex_note`` says which); such a rule cannot be simulated.
    """

    text: str
    key_text: str
    key: KeyPath | None
    pattern: str
    regex: OnigmoRegex | None
    regex_note: str | None
    template: Template
    keep: bool

    @property
    def new_tag(self) -> str:
        """The NEW_TAG template as written."""
        return self.template.source


def parse_rewrite_rule(text: str) -> RewriteRule:
    """Interpret a ``Rule`` value.

    Raises:
        RuleError: Fluent Bit would not start with this rule (wrong number of
            parts, bad key or tag template, regex that does not compile,
            KEEP that is not a boolean).
    """
    parts = split_tokens(text)
    if len(parts) != 4:
        raise RuleError(
            f"has {len(parts)} part(s) {parts!r}; a rule is exactly '$KEY REGEX NEW_TAG KEEP'"
            " (quote a regex that contains spaces with double quotes)"
        )
    key_text, pattern, new_tag, keep_text = parts
    try:
        key = rule_key(key_text)
    except ValueError as exc:
        raise RuleError(f"KEY {key_text!r} is not a record accessor: {exc}") from None
    try:
        template = Template.parse(new_tag)
    except ValueError as exc:
        raise RuleError(f"NEW_TAG {new_tag!r} cannot be composed: {exc}") from None
    keep = flb_bool(keep_text)
    if keep is None:
        raise RuleError(f"KEEP {keep_text!r} is not a boolean (true or false)")
    regex: OnigmoRegex | None = None
    note: str | None = None
    try:
        regex = compile_onigmo(pattern)
    except InvalidRegex as exc:
        raise RegexError(f"REGEX {pattern!r} does not compile: {exc}") from None
    except UnsupportedRegex as exc:
        note = f"REGEX {pattern!r} uses {exc}, which the preview does not model"
    return RewriteRule(text, key_text, key, pattern, regex, note, template, keep)


@dataclass(frozen=True)
class MatchSpec:
    """A section's ``Match`` wildcard and/or ``Match_Regex``."""

    pattern: str | None
    regex_text: str | None
    regex: OnigmoRegex | None
    regex_note: str | None

    @classmethod
    def of(cls, section: Section) -> MatchSpec:
        """Read ``Match`` and ``Match_Regex`` from a section.

        Raises:
            RegexError: the ``Match_Regex`` does not compile.
        """
        regex_text = section.get("Match_Regex")
        regex: OnigmoRegex | None = None
        note: str | None = None
        if regex_text is not None:
            try:
                regex = compile_onigmo(regex_text)
            except InvalidRegex as exc:
                raise RegexError(f"Match_Regex {regex_text!r} does not compile: {exc}") from None
            except UnsupportedRegex as exc:
                note = f"Match_Regex {regex_text!r} uses {exc}, which the preview does not model"
        return cls(section.get("Match"), regex_text, regex, note)

    @property
    def is_set(self) -> bool:
        """Whether the section has any Match at all (otherwise it never runs)."""
        return self.pattern is not None or self.regex_text is not None

    def matches(self, tag: str) -> bool | None:
        """Whether ``tag`` is selected; ``None`` when an unmodelled Match_Regex decides."""
        if self.regex_text is not None:
            if self.regex is None:
                return None
            found = self.regex.match_prefix(tag)
            if found is not None and found.end() > 0:
                return True
        if self.pattern is not None:
            return _glob.tag_matches(self.pattern, tag)
        return False

    @property
    def glob(self) -> str | None:
        """The wildcard as a glob for set reasoning; ``*`` when only a regex is set."""
        if self.regex_text is not None:
            return "*"
        return self.pattern
