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
- ``log-class-lacks-feature``: an output needs a feature its log group's
  class lacks (embedded metric format to an Infrequent Access group; see
  :mod:`firelens_cdktf.lint.log_classes`).
- ``typed-key-never-matches``, ``logfmt-before-json``,
  ``grep-unreachable-output``, ``multiline-key-removed``: traps of the
  grep, parser and multiline filters (see
  :mod:`firelens_cdktf.lint.filters`).

Warnings (worth a look, not always wrong): ``possible-loop``,
``unsafe-tag-value`` (a value the rule lets through makes an invalid tag),
``refiltered-copies``, ``idle-filter``, ``regex-not-checked``,
``plain-key``, ``duplicate-alias``, ``unresolved-variable``,
``multiline-no-key-content``, ``metadata-key-dropped``.

How tags are compared: a rule's NEW_TAG becomes a glob (text kept, values as
``*``); a copy is *routed* when some output's Match covers that whole glob,
and *may loop* when a Match overlaps it (see :mod:`firelens_cdktf.fluentbit.tag_match`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from firelens_cdktf.errors import LintError
from firelens_cdktf.fluentbit import limits
from firelens_cdktf.fluentbit import plugin_names as _plugin_names
from firelens_cdktf.fluentbit import tag_match as _glob
from firelens_cdktf.fluentbit.config import FluentBitConfig, ParserDefinition, Section
from firelens_cdktf.fluentbit.image_model import GO_OUTPUTS, IMAGE_DESCRIPTION, STOCK_CONFIGS, STOCK_ROOT_HINT, GoOutput
from firelens_cdktf.fluentbit.plugins import MatchSpec, RuleError
from firelens_cdktf.limits import LogClass
from firelens_cdktf.lint import filters as _traps
from firelens_cdktf.lint.findings import Finding, Severity
from firelens_cdktf.lint.log_classes import check_log_classes, config_log_group_uses
from firelens_cdktf.lint.rewrites import Rewrite, activate, check_copies, check_loops, check_tag_values, read_rewrites


def check_config(
    config: FluentBitConfig,
    *,
    containers: Sequence[str] | None = None,
    parsers: Mapping[str, ParserDefinition] | None = None,
    log_classes: Mapping[str, LogClass | str] | None = None,
) -> tuple[Finding, ...]:
    """Lint ``config``; raise on errors, return the warnings.

    Args:
        config: the parsed config.
        containers: app containers whose FireLens tags feed it. Default:
            any container (``*-firelens-*``).
        parsers: parser definitions loaded from its ``Parsers_File`` files.
            Default: parser references are not checked.
        log_classes: log group name -> class, for ``log-class-lacks-feature``.
            Default: every group is taken as Standard.

    Raises:
        LintError: at least one error finding; the message lists them all.
    """
    findings = lint_config(config, containers=containers, parsers=parsers, log_classes=log_classes)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise LintError(config.source, errors)
    return tuple(f for f in findings if f.severity is Severity.WARNING)


def lint_config(
    config: FluentBitConfig,
    *,
    containers: Sequence[str] | None = None,
    parsers: Mapping[str, ParserDefinition] | None = None,
    log_classes: Mapping[str, LogClass | str] | None = None,
) -> tuple[Finding, ...]:
    """Every finding for ``config``, errors first, in file order within each (arguments: :func:`check_config`)."""
    out: list[Finding] = []
    if log_classes:
        out.extend(check_log_classes(log_classes, config_log_group_uses(config)))
    sources = _source_tags(config, containers, out)
    rewrites = read_rewrites(config, out)
    _check_sections(config, parsers, out)
    active = activate(rewrites, sources, out)
    reachable = list(sources) + [rule.template.glob(r.match.glob or "*") for r in active for _, rule in r.rules]
    _check_outputs(config, reachable, out)
    for rewrite in active:
        for index, rule in rewrite.rules:
            check_copies(config, rewrite, index, rule, out)
            check_tag_values(rewrite, index, rule, out)
    check_loops(config, active, out)
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
    _check_stock_files(config, parsers, out)
    return tuple(sorted(out, key=lambda f: _SEVERITY_ORDER[f.severity]))


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def _check_stock_files(
    config: FluentBitConfig, parsers: Mapping[str, ParserDefinition] | None, out: list[Finding]
) -> None:
    """A note for each stock file of the image that the config names and that was not read."""
    stock: Mapping[str, str] = getattr(parsers, "unresolved_stock", {})
    unread = sorted(set(stock.values()))
    for path in sorted(unread):
        out.append(
            Finding(
                Severity.NOTE,
                "image-stock-file",
                f"Parsers_File {path}",
                "a stock file of the image, not read here: its parser names are known, their definitions are not, "
                "so the preview says unknown after a parser filter that uses them",
                STOCK_ROOT_HINT,
            )
        )
    for path in config.skipped_includes:
        what = STOCK_CONFIGS.get("/" + path.strip().lstrip("/"), "a stock file of the image")
        out.append(
            Finding(
                Severity.NOTE,
                "image-stock-file",
                f"@INCLUDE {path}",
                f"a stock file of the image ({what}), not read here: the checks cover the rest of the config",
                STOCK_ROOT_HINT,
            )
        )


def _check_filter_traps(
    config: FluentBitConfig,
    parsers: Mapping[str, ParserDefinition] | None,
    rewrites: list[Rewrite],
    sources: list[str],
    reachable: list[str],
    out: list[Finding],
) -> None:
    """The findings of :mod:`firelens_cdktf.lint.filters`, and outputs a grep cuts off."""
    found = [
        *_traps.multiline_findings(
            config, list(getattr(parsers, "multiline", ())) + list(config.of_kind("MULTILINE_PARSER"))
        ),
        *_traps.metadata_key_findings(config),
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


def _check_plugin_names(config: FluentBitConfig, out: list[Finding]) -> None:
    """A Name the pinned image does not register (Fluent Bit 4.2.2's plugins, and AWS's Go outputs) stops it
    at start-up: an error, with the closest known name."""
    for kind in ("INPUT", "FILTER", "OUTPUT"):
        for section in config.of_kind(kind):
            name = section.plugin
            if not name or name.lower() in _plugin_names.KNOWN[kind]:
                continue
            if kind == "OUTPUT" and name.lower() in GO_OUTPUTS:
                _check_go_output(section, GO_OUTPUTS[name.lower()], out)
                continue
            nearest = _plugin_names.closest(kind, name)
            if kind == "OUTPUT":  # the image's Go outputs too, whichever name is nearer
                nearest = max(
                    [n for n in (nearest, *GO_OUTPUTS) if n is not None],
                    key=lambda n: difflib.SequenceMatcher(None, name.lower(), n).ratio(),
                )
                if nearest in GO_OUTPUTS and difflib.SequenceMatcher(None, name.lower(), nearest).ratio() < 0.8:
                    nearest = _plugin_names.closest(kind, name)
            out.append(
                Finding(
                    Severity.ERROR,
                    "unknown-plugin",
                    section.describe(),
                    f"the pinned image, {IMAGE_DESCRIPTION}, has no {kind.lower()} plugin {name!r}, so Fluent Bit "
                    "refuses to start",
                    f"use Name {nearest}"
                    if nearest
                    else f"use one of the {kind.lower()} plugins Fluent Bit 4.2.2 lists",
                )
            )


def _check_go_output(section: Section, plugin: GoOutput, out: list[Finding]) -> None:
    """AWS's Go output refuses to start (``FLBPluginInit`` returns ``FLB_ERROR``) without its required options, or
    with both or neither of an exclusive pair."""
    for option in plugin.required:
        if not section.get(option):
            out.append(
                Finding(
                    Severity.ERROR,
                    "missing-setting",
                    section.describe(),
                    f"the Go plugin {plugin.name!r} ({plugin.label}) refuses to start without {option}",
                    f"add '{option} <value>'",
                )
            )
    for group in plugin.one_of:
        given = [option for option in group if section.get(option)]
        if len(given) != 1:
            out.append(
                Finding(
                    Severity.ERROR,
                    "missing-setting" if not given else "conflicting-settings",
                    section.describe(),
                    f"the Go plugin {plugin.name!r} ({plugin.label}) needs exactly one of {' or '.join(group)}, "
                    f"and has {' and '.join(given) if given else 'neither'}; it refuses to start",
                    f"keep one of {', '.join(group)}",
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
        stock = getattr(parsers, "unresolved_stock", {})
        missing = [n for n in names if n not in parsers and n not in stock]
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
