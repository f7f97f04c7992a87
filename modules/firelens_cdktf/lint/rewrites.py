"""The rewrite_tag analysis: which rules can fire, whether their copies are routed, safe tags, loops.

A rule's NEW_TAG becomes a glob (text kept, values as ``*``); a copy is
*routed* when some output's Match covers that whole glob, and *may loop*
when a Match overlaps it (see :mod:`firelens_cdktf.fluentbit.tag_match`).
Sources: plugins/filter_rewrite_tag/rewrite_tag.c and src/flb_router.c of
fluent/fluent-bit v4.2.2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from firelens_cdktf.fluentbit import limits
from firelens_cdktf.fluentbit import tag_match as _glob
from firelens_cdktf.fluentbit.config import FluentBitConfig, Section
from firelens_cdktf.fluentbit.plugins import MatchSpec, RegexError, RewriteRule, RuleError, parse_rewrite_rule
from firelens_cdktf.fluentbit.record_accessor import Capture, KeyPath, KeyRef, Pairs, Value
from firelens_cdktf.lint.findings import Finding, Severity

#: Values tried against a rule's regex to see whether it admits a bad tag.
_PROBES = ("", "a b", "a/b", "a:b", "a*b", "a@b", 'a"b', "a\nb", "{a}", "é")


@dataclass(frozen=True)
class Rewrite:
    section: Section
    match: MatchSpec
    rules: tuple[tuple[int, RewriteRule], ...]


def read_rewrites(config: FluentBitConfig, out: list[Finding]) -> list[Rewrite]:
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
        result.append(Rewrite(section, match, tuple(rules)))
    return result


def activate(rewrites: list[Rewrite], sources: list[str], out: list[Finding]) -> list[Rewrite]:
    """Rewrite filters some record reaches, found by following re-emitted tags."""
    reachable = list(sources)
    active: list[Rewrite] = []
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


def check_copies(config: FluentBitConfig, rewrite: Rewrite, index: int, rule: RewriteRule, out: list[Finding]) -> None:
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


def check_tag_values(rewrite: Rewrite, index: int, rule: RewriteRule, out: list[Finding]) -> None:
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


def check_loops(config: FluentBitConfig, active: list[Rewrite], out: list[Finding]) -> None:
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
