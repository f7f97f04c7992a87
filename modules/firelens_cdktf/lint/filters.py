"""Lint findings for the traps the preview's newer filters set: Types, parser order, grep, multiline.

Called by :func:`firelens_cdktf.lint.checks.lint_config`; each finding names
the section *and the line* it comes from, and the fix.

- ``typed-key-never-matches`` (error): a ``rewrite_tag`` rule or a ``grep``
  rule tests a key that an earlier parser's ``Types`` casts to a number or a
  boolean. Record accessors test only strings (src/flb_ra_key.c
  ``flb_ra_key_regex_match``), so the rule never matches a record that
  parser parsed: a ``Regex`` drops them all, an ``Exclude`` or a route never
  fires. (``json`` parsers ignore ``Types``, so only regex, logfmt and ltsv count.)
- ``logfmt-before-json`` (error): a parser filter lists a ``logfmt`` parser
  before a ``json`` one. logfmt accepts almost any line, a JSON line
  included (``{"a":1}`` gives ``a=true``...), and the first parser that
  accepts wins (plugins/filter_parser/filter_parser.c), so JSON lines never
  reach the json parser. Not reported with ``Logfmt_No_Bare_Keys On``.
- ``grep-unreachable-output`` (error): an output only a rewrite_tag route
  feeds, and a grep earlier in the chain drops every record that route
  would take. Decided exactly when the route's or the grep's regex accepts a
  finite set of single-line values (anchored at both ends, e.g.
  ``^(ActiveRecord)$``), by running the grep on each value; a value spanning
  several lines could still pass, which the finding says.
- ``multiline-key-removed`` (error): a ``multiline`` filter whose content key
  an earlier filter (same records) removes or renames: ``modify``
  Remove/Rename/..., ``record_modifier`` Remove_key/Allowlist_key, ``nest``,
  or a ``parser`` filter (which keeps only the parsed keys, or drops the
  parsed key unless ``Preserve_Key On``).
- ``metadata-key-dropped`` (warning): a ``rewrite_tag`` or ``grep`` rule
  tests a key FireLens puts on every record (``container_name``, ``source``,
  ``ecs_*``...) after a ``parser`` filter on the same records that keeps
  only what it parsed (``Reserve_Data Off``): the key is gone unless the
  app's own line has it (plugins/filter_parser/filter_parser.c).
- ``multiline-no-key-content`` (warning): ``multiline.parser`` java, go,
  python or ruby (or a ``[MULTILINE_PARSER]`` without ``Key_Content``) with no
  ``multiline.key_content``: the parser has no key to read and joins nothing
  (src/multiline/flb_ml.c ``process_append``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from firelens_cdktf.fluentbit import tag_match as _glob
from firelens_cdktf.fluentbit.config import Entry, FluentBitConfig, ParserDefinition, Section
from firelens_cdktf.fluentbit.filters import grep as grep_filter
from firelens_cdktf.fluentbit.filters import is_active
from firelens_cdktf.fluentbit.onigmo import InvalidRegex, UnsupportedRegex, compile_onigmo
from firelens_cdktf.fluentbit.parsers import NOT_STRING, parse_types
from firelens_cdktf.fluentbit.plugins import MatchSpec, RewriteRule, RuleError, parse_rewrite_rule
from firelens_cdktf.fluentbit.record_accessor import KeyPath, Pairs, Value, rule_key
from firelens_cdktf.fluentbit.simulator import FIRELENS_METADATA_KEYS
from firelens_cdktf.fluentbit.split import flb_utils_bool, slist_split_string, utils_split
from firelens_cdktf.lint.finite_language import finite_language

_BUILTIN_KEY_CONTENT = {"docker": "log", "cri": "log"}


@dataclass(frozen=True)
class FilterFinding:
    """A finding before the linter turns it into a :class:`~firelens_cdktf.lint.findings.Finding`."""

    error: bool
    code: str
    where: str
    problem: str
    fix: str


def _where(section: Section, line: int | None, what: str) -> str:
    return f"{section.describe()} {what} on line {line}" if line else f"{section.describe()} {what}"


def _glob_of(section: Section) -> str | None:
    try:
        return MatchSpec.of(section).glob
    except RuleError:
        return None


def _overlap(a: Section, b: Section) -> bool:
    first, second = _glob_of(a), _glob_of(b)
    return first is not None and second is not None and _glob.overlaps(first, second)


def _covers(general: Section, specific: Section) -> bool:
    outer, inner = _glob_of(general), _glob_of(specific)
    return outer is not None and inner is not None and not general.has("Match_Regex") and _glob.covers(outer, inner)


def _active_filters(config: FluentBitConfig) -> list[Section]:
    return [s for s in config.filters if is_active(s) and (s.has("Match") or s.has("Match_Regex"))]


# --- typed keys -----------------------------------------------------------------------------------


def _typed_keys(parsers: Mapping[str, ParserDefinition], names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Keys some listed parser casts away from string: key -> (parser, type)."""
    typed: dict[str, tuple[str, str]] = {}
    for name in names:
        definition = parsers.get(name)
        if definition is None or definition.format not in ("regex", "logfmt", "ltsv"):
            continue
        types_text = definition.get("Types")
        for key, kind in (parse_types(types_text) if types_text else {}).items():
            if kind in NOT_STRING:
                typed.setdefault(key, (name, kind))
    return typed


def typed_key_findings(config: FluentBitConfig, parsers: Mapping[str, ParserDefinition]) -> list[FilterFinding]:
    """``typed-key-never-matches``."""
    out: list[FilterFinding] = []
    filters = _active_filters(config)
    for position, parser_section in enumerate(filters):
        if parser_section.plugin != "parser":
            continue
        typed = _typed_keys(parsers, parser_section.get_all("Parser"))
        if not typed:
            continue
        for later in filters[position + 1 :]:
            if not _overlap(parser_section, later):
                continue
            for entry, key in _rule_keys(later):
                if key is None or key.key not in typed:
                    continue
                parser_name, kind = typed[key.key]
                effect = {
                    "rule": "the route never fires",
                    "regex": "grep drops every record that parser parsed",
                    "exclude": "grep never excludes them",
                }[entry.key.lower()]
                out.append(
                    FilterFinding(
                        True,
                        "typed-key-never-matches",
                        _where(later, entry.line, entry.key),
                        f"{entry.key} {entry.value!r} tests {key.accessor}, which parser {parser_name!r} (used by "
                        f"{parser_section.describe()}) casts to {kind} with Types; a regex only ever matches a "
                        "string, so "
                        f"it never matches a record that parser parsed: {effect}",
                        f"drop {key.key}:{kind} from the parser's Types, or test a key that stays a string",
                    )
                )
    return out


def _rule_keys(section: Section) -> list[tuple[Entry, KeyPath | None]]:
    """(entry, key) of every rewrite_tag Rule or grep Regex/Exclude line Fluent Bit accepts."""
    found: list[tuple[Entry, KeyPath | None]] = []
    for entry in section.entries:
        option = entry.key.lower()
        try:
            if section.plugin == "rewrite_tag" and option == "rule":
                found.append((entry, parse_rewrite_rule(entry.value).key))
            elif section.plugin == "grep" and option in ("regex", "exclude"):
                first = (utils_split(entry.value, " ", 1) or [""])[0]
                found.append((entry, rule_key(first if first.startswith("$") else "$" + first)))
        except (RuleError, ValueError):
            continue  # refused rules are reported as bad-rule / bad-regex
    return found


# --- FireLens's metadata ----------------------------------------------------------------------------


def metadata_key_findings(config: FluentBitConfig) -> list[FilterFinding]:
    """``metadata-key-dropped``."""
    out: list[FilterFinding] = []
    filters = _active_filters(config)
    for position, parser_section in enumerate(filters):
        if parser_section.plugin != "parser" or flb_utils_bool(parser_section.get("Reserve_Data") or "off") == 1:
            continue
        for later in filters[position + 1 :]:
            if not _covers(parser_section, later):
                continue
            for entry, key in _rule_keys(later):
                if key is None or key.key not in FIRELENS_METADATA_KEYS:
                    continue
                out.append(
                    FilterFinding(
                        False,
                        "metadata-key-dropped",
                        _where(later, entry.line, entry.key),
                        f"{entry.key} {entry.value!r} tests {key.accessor}, which FireLens puts on every record, but "
                        f"{parser_section.describe()} runs first and keeps only the keys it parsed (Reserve_Data "
                        f"Off): {key.key} is there only when the app's own line has it",
                        "set Reserve_Data On on that parser (AppLogRouting(keep_metadata=True)), or test the key "
                        "before the parser runs",
                    )
                )
    return out


# --- parser order ---------------------------------------------------------------------------------


def parser_order_findings(config: FluentBitConfig, parsers: Mapping[str, ParserDefinition]) -> list[FilterFinding]:
    """``logfmt-before-json``."""
    out: list[FilterFinding] = []
    for section in _active_filters(config):
        if section.plugin != "parser":
            continue
        lines = [e for e in section.entries if e.key.lower() == "parser" and e.value in parsers]
        formats = [parsers[e.value].format for e in lines]
        for index, entry in enumerate(lines):
            definition = parsers[entry.value]
            if definition.format != "logfmt" or flb_utils_bool(definition.get("Logfmt_No_Bare_Keys") or "off") == 1:
                continue
            if "json" in formats[index + 1 :]:
                json_name = lines[index + 1 + formats[index + 1 :].index("json")].value
                out.append(
                    FilterFinding(
                        True,
                        "logfmt-before-json",
                        _where(section, entry.line, f"Parser {entry.value}"),
                        f"logfmt parser {entry.value!r} comes before json parser {json_name!r}; logfmt accepts almost "
                        "any line, a JSON line included (each word becomes a key), and the first parser that accepts a "
                        "line wins, so JSON lines never reach the json parser",
                        f"list 'Parser {json_name}' first: json refuses anything that is not one JSON object",
                    )
                )
    return out


# --- grep ---------------------------------------------------------------------------------------


def _record(path: KeyPath, value: str) -> Pairs:
    inner: Value = value
    for sub in reversed(path.subkeys):
        inner = Pairs(((str(sub), inner),))
    return Pairs(((path.key, inner),))


def _drops_route(grep: Section, rule: RewriteRule) -> bool:
    """Whether ``grep`` drops every single-line record ``rule`` would re-tag (see the module docstring)."""
    try:
        rules = grep_filter.read_rules(grep)
    except Exception:  # noqa: BLE001 - a grep Fluent Bit refuses is reported elsewhere
        return False
    if not rules or rule.key is None or rule.regex is None or any(r.key != rule.key or r.regex is None for r in rules):
        return False
    op = grep_filter.logical_op(grep)
    route = finite_language(rule.regex.compiled)
    if route is not None:
        values = {v for v in route if rule.regex.search(v)}
        return bool(values) and not any(grep_filter.keeps(rules, op, _record(rule.key, v)) for v in values)
    kept: set[str] | None = None
    if op == grep_filter.LEGACY and rules[0].kind == grep_filter.REGEX:
        kept = finite_language(rules[0].regex.compiled)  # type: ignore[union-attr]
    if kept is None:
        return False
    return not any(rule.regex.search(v) for v in kept)


def dead_routes(
    config: FluentBitConfig,
    rewrites: Sequence[tuple[Section, Sequence[tuple[int, RewriteRule]]]],
) -> dict[tuple[int, int], Section]:
    """(rewrite section index, rule number) -> the grep that drops everything the rule would take."""
    dead: dict[tuple[int, int], Section] = {}
    filters = list(config.filters)
    for rewrite_index, (section, rules) in enumerate(rewrites):
        position = filters.index(section)
        greps = [g for g in filters[:position] if g.plugin == "grep" and is_active(g) and _covers(g, section)]
        for number, rule in rules:
            for grep in greps:
                if _drops_route(grep, rule):
                    dead[(rewrite_index, number)] = grep
                    break
    return dead


# --- multiline ------------------------------------------------------------------------------------


def _multiline_keys(section: Section, multiline_parsers: Sequence[Section]) -> tuple[str | None, list[str]]:
    """(the key the filter reads, parser names that have no key to read)."""
    explicit = section.get("multiline.key_content")
    if explicit:
        return explicit, []
    if (section.get("Mode") or "").lower() == "partial_message":
        return None, []
    names = [n for value in section.get_all("multiline.parser") for n in slist_split_string(value, ",")]
    user = {(s.get("Name") or "").lower(): s.get("Key_Content") for s in multiline_parsers}
    keys = [_BUILTIN_KEY_CONTENT.get(n.lower()) or user.get(n.lower()) for n in names]
    return next((k for k in keys if k), None), [n for n, k in zip(names, keys, strict=True) if not k]


def _removal(section: Section, key: str) -> tuple[int | None, str] | None:
    """(line, how) when ``section`` removes or renames ``key``."""
    plugin = section.plugin
    if plugin == "modify":
        for entry in section.entries:
            option = entry.key.lower()
            parts = utils_split(entry.value, " ", 3, quoted=True) or []
            if not parts:
                continue
            if option == "remove" and parts[0] == key or option == "remove_wildcard" and key.startswith(parts[0]):
                return entry.line, f"{entry.key} {entry.value} removes it"
            if option == "remove_regex":
                try:
                    if compile_onigmo(parts[0]).search(key):
                        return entry.line, f"{entry.key} {entry.value} removes it"
                except (InvalidRegex, UnsupportedRegex):
                    continue
            if option in ("rename", "hard_rename") and parts[0] == key and len(parts) > 1 and parts[-1] != key:
                return entry.line, f"{entry.key} {entry.value} renames it"
        return None
    if plugin == "record_modifier":
        for entry in section.entries:
            option = entry.key.lower()
            pattern = entry.value.lower()
            matches = key.lower().startswith(pattern[:-1]) if pattern.endswith("*") else key.lower() == pattern
            if option == "remove_key" and matches:
                return entry.line, f"{entry.key} {entry.value} removes it"
        allow = [e for e in section.entries if e.key.lower() in ("allowlist_key", "whitelist_key")]
        if allow and not any(
            (key.lower().startswith(e.value.lower()[:-1]) if e.value.endswith("*") else key.lower() == e.value.lower())
            for e in allow
        ):
            return allow[0].line, f"{allow[0].key} keeps only the listed keys, and {key} is not one of them"
        return None
    if plugin == "nest" and (section.get("Operation") or "").startswith("nest"):
        for entry in section.entries:
            if entry.key.lower() == "wildcard":
                value = entry.value
                if key.startswith(value[:-1]) if value.endswith("*") else key == value:
                    return entry.line, f"{entry.key} {entry.value} moves it under {section.get('Nest_under')!r}"
        return None
    if plugin == "parser":
        key_name = section.get("Key_Name")
        reserve = flb_utils_bool(section.get("Reserve_Data") or "off") == 1
        preserve = flb_utils_bool(section.get("Preserve_Key") or "off") == 1
        line = next((e.line for e in section.entries if e.key.lower() == "key_name"), None)
        if not reserve and not (preserve and key_name == key):
            return line, (
                f"it keeps only the keys parsed from {key_name!r} (Reserve_Data Off), so {key} is gone "
                "unless the parsed text itself has it"
            )
        if reserve and key_name == key and not preserve:
            return line, f"it removes {key} once parsed (Preserve_Key Off)"
    return None


def multiline_findings(config: FluentBitConfig, multiline_parsers: Sequence[Section]) -> list[FilterFinding]:
    """``multiline-key-removed`` and ``multiline-no-key-content``."""
    out: list[FilterFinding] = []
    filters = _active_filters(config)
    for position, section in enumerate(filters):
        if section.plugin != "multiline":
            continue
        key, keyless = _multiline_keys(section, multiline_parsers)
        line = next(
            (e.line for e in section.entries if e.key.lower() in ("multiline.key_content", "multiline.parser")), None
        )
        if keyless and not section.get("multiline.key_content"):
            out.append(
                FilterFinding(
                    False,
                    "multiline-no-key-content",
                    _where(section, line, "multiline.parser"),
                    f"multiline parser(s) {keyless} have no key to read without multiline.key_content, so they join "
                    "nothing",
                    "add 'multiline.key_content log' (the key holding the text lines)",
                )
            )
        if key is None:
            continue
        for earlier in filters[:position]:
            if not _overlap(earlier, section):
                continue
            removal = _removal(earlier, key)
            if removal is None:
                continue
            removal_line, how = removal
            out.append(
                FilterFinding(
                    True,
                    "multiline-key-removed",
                    _where(section, line, f"key {key}"),
                    f"it joins lines of {key!r}, but {_where(earlier, removal_line, earlier.plugin)} runs first on "
                    "the same "
                    f"records and {how}, so the multiline filter finds no {key!r} and joins nothing",
                    f"put the multiline filter before {earlier.describe()}, or point multiline.key_content at the key "
                    "that holds the lines by then",
                )
            )
    return out
