"""Find routing mistakes in a Fluent Bit config before it is deployed.

Works on any parsed config (the compiled one, or a hand-written one such as
the article's) and knows how FireLens feeds it: records arrive tagged
``<container>-firelens-<task id>``. :func:`check_config` raises
:class:`~firelens_cdktf.errors.LintError` listing every error and returns the
warnings; :func:`lint_config` returns everything.

Errors (records lost, looping, or Fluent Bit refusing to start):

- ``unrouted-copies``: a rewrite_tag rule re-emits copies that no ``[OUTPUT]``
  matches for every value (the article's ``logdata.*`` copies).
- ``unreachable-output``: an ``[OUTPUT]`` whose Match no record's tag fits.
- ``rewrite-loop``: a rewrite_tag whose new tag its own Match, or another
  rewrite_tag that feeds it back, always catches again.
- ``bad-regex`` / ``bad-rule``: a rule or ``Match_Regex`` Fluent Bit cannot compile.
- ``invalid-tag``: fixed tag text, or a container name, with characters a
  tag may not contain.
- ``missing-match``, ``missing-setting``, ``unknown-parser``,
  ``duplicate-emitter``: sections Fluent Bit unloads or refuses.
- ``typed-key-never-matches``, ``logfmt-before-json``,
  ``grep-unreachable-output``, ``multiline-key-removed``: traps of the
  grep, parser and multiline filters (see
  :mod:`firelens_cdktf.lint.filters`).

Warnings (worth a look, not always wrong): ``possible-loop``,
``unsafe-tag-value`` (a value the rule lets through makes an invalid tag),
``refiltered-copies``, ``idle-filter``, ``regex-not-checked``,
``plain-key``, ``duplicate-alias``, ``unresolved-variable``,
``multiline-no-key-content``.

How tags are compared: a rule's NEW_TAG becomes a glob (text kept, values as
``*``); a copy is *routed* when some output's Match covers that whole glob,
and *may loop* when a Match overlaps it (see :mod:`firelens_cdktf.fluentbit.tag_match`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from firelens_cdktf.errors import LintError
from firelens_cdktf.fluentbit import limits
from firelens_cdktf.fluentbit import plugin_names as _plugin_names
from firelens_cdktf.fluentbit import tag_match as _glob
from firelens_cdktf.fluentbit.config import FluentBitConfig, ParserDefinition, Section
from firelens_cdktf.fluentbit.plugins import MatchSpec, RegexError, RewriteRule, RuleError, parse_rewrite_rule
from firelens_cdktf.fluentbit.record_accessor import Capture, KeyPath, KeyRef, Pairs, Value
from firelens_cdktf.lint import filters as _traps

#: Values tried against a rule's regex to see whether it admits a bad tag.
_PROBES = ("", "a b", "a/b", "a:b", "a*b", "a@b", 'a"b', "a\nb", "{a}", "é")


class Severity(StrEnum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, what is wrong, and how to fix it."""

    severity: Severity
    code: str
    where: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}. Fix: {self.fix}"


@dataclass(frozen=True)
class _Rewrite:
    section: Section
    match: MatchSpec
    rules: tuple[tuple[int, RewriteRule], ...]


def check_config(
    config: FluentBitConfig,
    *,
    containers: Sequence[str] | None = None,
    parsers: Mapping[str, ParserDefinition] | None = None,
) -> tuple[Finding, ...]:
    """Lint ``config``; raise on errors, return the warnings.

    Args:
        config: the parsed config.
        containers: app containers whose FireLens tags feed it. Default:
            any container (``*-firelens-*``).
        parsers: parser definitions loaded from its ``Parsers_File`` files.
            Default: parser references are not checked.

    Raises:
        LintError: at least one error finding; the message lists them all.
    """
    findings = lint_config(config, containers=containers, parsers=parsers)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise LintError(config.source, errors)
    return tuple(f for f in findings if f.severity is Severity.WARNING)


def lint_config(
    config: FluentBitConfig,
    *,
    containers: Sequence[str] | None = None,
    parsers: Mapping[str, ParserDefinition] | None = None,
) -> tuple[Finding, ...]:
    """Every finding for ``config``, errors first, in file order within each."""
    out: list[Finding] = []
    sources = _source_tags(config, containers, out)
    rewrites = _rewrites(config, out)
    _check_sections(config, parsers, out)
    active = _activate(rewrites, sources, out)
    reachable = list(sources) + [rule.template.glob(r.match.glob or "*") for r in active for _, rule in r.rules]
    _check_outputs(config, reachable, out)
    for rewrite in active:
        for index, rule in rewrite.rules:
            _check_copies(config, rewrite, index, rule, out)
            _check_tag_values(rewrite, index, rule, out)
    _check_loops(config, active, out)
    _check_filter_traps(config, parsers, active, sources, reachable, out)
    for name in config.unresolved_variables:
        out.append(
            Finding(
                Severity.WARNING,
                "unresolved-variable",
                config.source,
                f"${{{name}}} is not set by @SET; Fluent Bit reads it from its environment and the checks here "
                f"kept it as written",
                f"set {name} in the log router's environment or replace it with its value",
            )
        )
    return tuple(sorted(out, key=lambda f: f.severity is not Severity.ERROR))


def _check_filter_traps(
    config: FluentBitConfig,
    parsers: Mapping[str, ParserDefinition] | None,
    rewrites: list[_Rewrite],
    sources: list[str],
    reachable: list[str],
    out: list[Finding],
) -> None:
    """The findings of :mod:`firelens_cdktf.lint.filters`, and outputs a grep cuts off."""
    found = [
        *_traps.multiline_findings(
            config, list(getattr(parsers, "multiline", ())) + list(config.of_kind("MULTILINE_PARSER"))
        )
    ]
    if parsers is not None:
        found = [*_traps.typed_key_findings(config, parsers), *_traps.parser_order_findings(config, parsers), *found]
    for item in found:
        out.append(
            Finding(Severity.ERROR if item.error else Severity.WARNING, item.code, item.where, item.problem, item.fix)
        )
    dead = _traps.dead_routes(config, [(r.section, r.rules) for r in rewrites])
    if not dead:
        return
    globs = {(i, n): rule.template.glob(r.match.glob or "*") for i, r in enumerate(rewrites) for n, rule in r.rules}
    alive = list(sources) + [glob for key, glob in globs.items() if key not in dead]
    for section in config.outputs:
        glob = section.get("Match") if not section.has("Match_Regex") else "*"
        if (
            glob is None
            or not any(_glob.overlaps(glob, t) for t in reachable)
            or any(_glob.overlaps(glob, t) for t in alive)
        ):
            continue
        (index, number), grep = next(
            (item for item in dead.items() if _glob.overlaps(glob, globs[item[0]])), next(iter(dead.items()))
        )
        rule = rewrites[index].section
        out.append(
            Finding(
                Severity.ERROR,
                "grep-unreachable-output",
                f"{section.describe()} {config.output_name(section)!r}",
                f"only {rule.describe()} rule {number} feeds it, and {grep.describe()} drops every single-line record "
                "that rule would re-tag before it runs, so it receives nothing (only a value spanning several lines "
                "could pass)",
                f"loosen or remove the grep, or move it after {rule.describe()}",
            )
        )


def _source_tags(config: FluentBitConfig, containers: Sequence[str] | None, out: list[Finding]) -> list[str]:
    tags: list[str] = []
    if containers is None:
        tags.append(f"*{limits.FIRELENS_TAG_INFIX}*")
    for container in containers or ():
        if not limits.CONTAINER_NAME_PATTERN.match(container):
            out.append(
                Finding(
                    Severity.ERROR,
                    "invalid-tag",
                    f"container {container!r}",
                    "is not a valid ECS container name, and FireLens builds every tag from it",
                    "use only letters, digits, '_' and '-' (at most 255)",
                )
            )
        tags.append(f"{container}{limits.FIRELENS_TAG_INFIX}*")
    tags.extend(tag for section in config.inputs if (tag := section.get("Tag")))
    return tags


def _rewrites(config: FluentBitConfig, out: list[Finding]) -> list[_Rewrite]:
    result = []
    for section in config.filters:
        if section.plugin != "rewrite_tag":
            continue
        try:
            match = MatchSpec.of(section)
        except RuleError as exc:
            out.append(Finding(Severity.ERROR, "bad-regex", section.describe(), str(exc), "fix the Match_Regex"))
            continue
        rules: list[tuple[int, RewriteRule]] = []
        texts = section.get_all("Rule")
        if not texts:
            out.append(
                Finding(
                    Severity.ERROR,
                    "missing-setting",
                    section.describe(),
                    "has no Rule, so it re-emits nothing",
                    "add 'Rule $KEY REGEX NEW_TAG KEEP'",
                )
            )
        for index, text in enumerate(texts, start=1):
            where = f"{section.describe()} rule {index}"
            try:
                rule = parse_rewrite_rule(text)
            except RuleError as exc:
                code = "bad-regex" if isinstance(exc, RegexError) else "bad-rule"
                out.append(
                    Finding(
                        Severity.ERROR,
                        code,
                        where,
                        f"{text!r} {exc}",
                        "fix the rule; Fluent Bit refuses to start with it",
                    )
                )
                continue
            if rule.regex_note:
                out.append(
                    Finding(
                        Severity.WARNING,
                        "regex-not-checked",
                        where,
                        rule.regex_note,
                        "use plain classes, groups and anchors to have it checked",
                    )
                )
            if not rule.key_text.startswith("$"):
                out.append(
                    Finding(
                        Severity.WARNING,
                        "plain-key",
                        where,
                        f"KEY {rule.key_text!r} has no '$'; Fluent Bit reads it as the top-level key {rule.key_text!r}",
                        f"write ${rule.key_text} to make that explicit",
                    )
                )
            bad = sorted(set(rule.template.literal_text) - limits.TAG_ALLOWED_CHARACTERS)
            if bad:
                out.append(
                    Finding(
                        Severity.ERROR,
                        "invalid-tag",
                        where,
                        f"NEW_TAG {rule.new_tag!r} contains {''.join(bad)!r}, which a tag may not contain",
                        "use only letters, digits and '_ - . ,' in the fixed part of the tag",
                    )
                )
            rules.append((index, rule))
        result.append(_Rewrite(section, match, tuple(rules)))
    return result


def _check_plugin_names(config: FluentBitConfig, out: list[Finding]) -> None:
    """A Name Fluent Bit 4.2.2 does not register stops it at start-up: an error, with the closest known name."""
    for kind in ("INPUT", "FILTER", "OUTPUT"):
        for section in config.of_kind(kind):
            name = section.plugin
            if not name or name.lower() in _plugin_names.KNOWN[kind]:
                continue
            nearest = _plugin_names.closest(kind, name)
            out.append(
                Finding(
                    Severity.ERROR,
                    "unknown-plugin",
                    section.describe(),
                    f"Fluent Bit 4.2.2 has no {kind.lower()} plugin {name!r}, so it refuses to start",
                    f"use Name {nearest}"
                    if nearest
                    else f"use one of the {kind.lower()} plugins Fluent Bit 4.2.2 lists",
                )
            )


def _check_sections(
    config: FluentBitConfig, parsers: Mapping[str, ParserDefinition] | None, out: list[Finding]
) -> None:
    _check_plugin_names(config, out)
    for kind, sections in (("filter", config.filters), ("output", config.outputs)):
        aliases: dict[str, Section] = {}
        for section in sections:
            if not section.plugin:
                out.append(
                    Finding(
                        Severity.ERROR,
                        "missing-setting",
                        section.describe(),
                        f"the {kind} has no Name",
                        "add 'Name <plugin>'",
                    )
                )
            if not section.has("Match") and not section.has("Match_Regex"):
                consequence = "Fluent Bit unloads it" if kind == "filter" else "it receives no record"
                out.append(
                    Finding(
                        Severity.ERROR,
                        "missing-match",
                        section.describe(),
                        f"has no Match, so {consequence}",
                        "add a Match, e.g. '<container>-firelens-*'",
                    )
                )
            elif not (kind == "filter" and section.plugin == "rewrite_tag"):
                try:
                    MatchSpec.of(section)
                except RuleError as exc:
                    out.append(
                        Finding(Severity.ERROR, "bad-regex", section.describe(), str(exc), "fix the Match_Regex")
                    )
            if section.alias:
                if section.alias in aliases:
                    out.append(
                        Finding(
                            Severity.WARNING,
                            "duplicate-alias",
                            section.describe(),
                            f"Alias {section.alias!r} is also used by {aliases[section.alias].describe()}",
                            "give every section its own Alias",
                        )
                    )
                aliases.setdefault(section.alias, section)
    emitters: dict[str, Section] = {}
    for section in config.filters:
        if section.plugin == "rewrite_tag":
            emitter = section.get("Emitter_Name") or f"emitter_for_{config.filter_name(section)}"
            if emitter in emitters:
                out.append(
                    Finding(
                        Severity.ERROR,
                        "duplicate-emitter",
                        section.describe(),
                        f"Emitter_Name {emitter!r} is already used by {emitters[emitter].describe()}; Fluent "
                        f"Bit refuses to start",
                        "give each rewrite_tag its own Emitter_Name",
                    )
                )
            emitters.setdefault(emitter, section)
        if section.plugin == "parser":
            _check_parser_filter(section, parsers, out)


def _check_parser_filter(section: Section, parsers: Mapping[str, ParserDefinition] | None, out: list[Finding]) -> None:
    if not section.get("Key_Name"):
        out.append(
            Finding(
                Severity.ERROR,
                "missing-setting",
                section.describe(),
                "has no Key_Name; Fluent Bit refuses to start",
                "add 'Key_Name log'",
            )
        )
    names = section.get_all("Parser")
    if not names:
        out.append(
            Finding(
                Severity.ERROR,
                "missing-setting",
                section.describe(),
                "has no Parser; Fluent Bit refuses to start",
                "add 'Parser json'",
            )
        )
    elif parsers is not None:
        missing = [n for n in names if n not in parsers]
        if missing:
            severity = Severity.ERROR if len(missing) == len(names) else Severity.WARNING
            out.append(
                Finding(
                    severity,
                    "unknown-parser",
                    section.describe(),
                    f"parser(s) {missing} are not defined in any Parsers_File (known: {sorted(parsers)})",
                    "define the parser in the parsers file named by Parsers_File, or fix the name",
                )
            )


def _activate(rewrites: list[_Rewrite], sources: list[str], out: list[Finding]) -> list[_Rewrite]:
    """Rewrite filters some record reaches, found by following re-emitted tags."""
    reachable = list(sources)
    active: list[_Rewrite] = []
    changed = True
    while changed:
        changed = False
        for rewrite in rewrites:
            if rewrite in active or rewrite.match.glob is None:
                continue
            if any(_glob.overlaps(rewrite.match.glob, tag) for tag in reachable):
                active.append(rewrite)
                reachable.extend(rule.template.glob(rewrite.match.glob) for _, rule in rewrite.rules)
                changed = True
    for rewrite in rewrites:
        if rewrite not in active and rewrite.match.glob is not None:
            out.append(
                Finding(
                    Severity.WARNING,
                    "idle-filter",
                    rewrite.section.describe(),
                    f"no record's tag fits Match {rewrite.match.glob!r}, so it never runs",
                    "match the app's FireLens tags, '<container>-firelens-*'",
                )
            )
    return sorted(active, key=rewrites.index)


def _check_outputs(config: FluentBitConfig, reachable: list[str], out: list[Finding]) -> None:
    for section in config.outputs:
        glob = section.get("Match") if not section.has("Match_Regex") else "*"
        if glob is None:
            continue  # reported as missing-match
        if not any(_glob.overlaps(glob, tag) for tag in reachable):
            out.append(
                Finding(
                    Severity.ERROR,
                    "unreachable-output",
                    f"{section.describe()} {config.output_name(section)!r}",
                    f"no record can reach it: Match {glob!r} fits none of the tags records carry "
                    f"({', '.join(sorted(set(reachable)))})",
                    "match the app's FireLens tags ('<container>-firelens-*') or a tag a rewrite_tag rule emits",
                )
            )


def _check_copies(
    config: FluentBitConfig, rewrite: _Rewrite, index: int, rule: RewriteRule, out: list[Finding]
) -> None:
    glob = rule.template.glob(rewrite.match.glob or "*")
    covering, partial = [], []
    for section in config.outputs:
        match = section.get("Match") if not section.has("Match_Regex") else None
        if match is None:
            continue
        if _glob.covers(match, glob):
            covering.append(section)
        elif _glob.overlaps(match, glob):
            partial.append(section)
    if covering:
        return
    where = f"{rewrite.section.describe()} rule {index}"
    problem = f"re-emits copies tagged {rule.new_tag!r} (tags {glob!r}) that no [OUTPUT] matches, so they are dropped"
    if partial:
        names = ", ".join(f"{config.output_name(s)!r} (Match {s.get('Match')!r})" for s in partial)
        problem += f"; only values that happen to fit {names} would be delivered"
    if not rule.keep:
        problem += "; the original record is dropped too (KEEP false), so these records are lost entirely"
    out.append(
        Finding(
            Severity.ERROR,
            "unrouted-copies",
            where,
            problem,
            f"add an [OUTPUT] with 'Match {glob}' (e.g. a CloudWatch log group for them), or re-emit into a tag "
            f"an output matches",
        )
    )


def _check_tag_values(rewrite: _Rewrite, index: int, rule: RewriteRule, out: list[Finding]) -> None:
    where = f"{rewrite.section.describe()} rule {index}"
    keys = rule.template.record_keys
    unchecked = [k for k in keys if k != rule.key]
    if unchecked:
        out.append(
            Finding(
                Severity.WARNING,
                "unsafe-tag-value",
                where,
                f"NEW_TAG takes {', '.join(k.accessor for k in unchecked)} from the record, which the rule's "
                f"regex does not check",
                f"take the tag value from the tested key {rule.key_text} so the regex constrains it",
            )
        )
    uses_value = any(isinstance(p, KeyRef | Capture) for p in rule.template.parts)
    if not uses_value or rule.key is None or rule.regex is None:
        return
    for probe in _PROBES:
        match = rule.regex.search(probe)
        if match is None:
            continue
        record = _nest(rule.key, probe)
        captures = [match.group(0), *match.groups()] if rule.regex.groups else None
        tag = rule.template.render("app-firelens-0", record, captures)
        bad = set(tag) - limits.TAG_ALLOWED_CHARACTERS
        if bad or not tag or tag.endswith(".") or ".." in tag:
            out.append(
                Finding(
                    Severity.WARNING,
                    "unsafe-tag-value",
                    where,
                    f"a value like {probe!r} passes REGEX {rule.pattern!r} and makes the tag {tag!r}",
                    "anchor and restrict the regex to tag-safe values, e.g. \\A[A-Za-z0-9_-]+\\z (^ and $ match "
                    "at any line of a value)",
                )
            )
            return


def _nest(path: KeyPath, value: str) -> Pairs:
    inner: Value = value
    for sub in reversed(path.subkeys):
        inner = Pairs(((str(sub), inner),))
    return Pairs(((path.key, inner),))


def _check_loops(config: FluentBitConfig, active: list[_Rewrite], out: list[Finding]) -> None:
    certain: dict[int, set[int]] = {i: set() for i in range(len(active))}
    possible: dict[int, set[int]] = {i: set() for i in range(len(active))}
    for i, source in enumerate(active):
        for index, rule in source.rules:
            glob = rule.template.glob(source.match.glob or "*")
            for j, target in enumerate(active):
                match = target.match.glob
                if match is None:
                    continue
                if _glob.covers(match, glob) and target.match.regex_text is None:
                    certain[i].add(j)
                elif _glob.overlaps(match, glob):
                    possible[i].add(j)
            if _glob.covers(source.match.glob or "", glob) and source.match.regex_text is None:
                out.append(
                    Finding(
                        Severity.ERROR,
                        "rewrite-loop",
                        f"{source.section.describe()} rule {index}",
                        f"its new tag {rule.new_tag!r} (tags {glob!r}) is caught again by its own Match "
                        f"{source.match.glob!r}: every copy is re-emitted forever",
                        f"re-emit into a tag outside {source.match.glob!r}, e.g. 'routed.<container>.<route>'",
                    )
                )
            elif _glob.overlaps(source.match.glob or "", glob):
                out.append(
                    Finding(
                        Severity.WARNING,
                        "possible-loop",
                        f"{source.section.describe()} rule {index}",
                        f"some values make its new tag {rule.new_tag!r} fit its own Match "
                        f"{source.match.glob!r}, and those copies would be re-emitted forever",
                        "anchor the Match (drop a leading '*') or re-emit into a namespace the Match cannot catch",
                    )
                )
            for section in config.filters:
                if section is source.section or section.plugin == "rewrite_tag":
                    continue
                match = section.get("Match")
                if match is not None and not section.has("Match_Regex") and _glob.covers(match, glob):
                    out.append(
                        Finding(
                            Severity.WARNING,
                            "refiltered-copies",
                            f"{source.section.describe()} rule {index}",
                            f"copies tagged {glob!r} start the pipeline over and pass {section.describe()} again",
                            "make sure that filter is harmless on an already processed record, or narrow its Match",
                        )
                    )
    for cycle, severity in ((_cycle(certain), Severity.ERROR), (_cycle(_merge(certain, possible)), Severity.WARNING)):
        if cycle and len(cycle) > 1:
            names = " -> ".join(active[i].section.describe() for i in (*cycle, cycle[0]))
            out.append(
                Finding(
                    severity,
                    "rewrite-loop" if severity is Severity.ERROR else "possible-loop",
                    active[cycle[0]].section.describe(),
                    f"rewrite_tag filters feed each other's Match: {names}",
                    "re-emit into tags none of these Match patterns catch",
                )
            )
            return


def _merge(a: Mapping[int, set[int]], b: Mapping[int, set[int]]) -> dict[int, set[int]]:
    return {k: set(a.get(k, ())) | set(b.get(k, ())) for k in set(a) | set(b)}


def _cycle(graph: Mapping[int, Iterable[int]]) -> list[int]:
    """A cycle through at least two nodes, as a node list; empty if none."""
    state: dict[int, int] = {}
    stack: list[int] = []

    def visit(node: int) -> list[int]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []
