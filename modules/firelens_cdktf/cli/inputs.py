"""What ``preview`` and ``lint`` read: a Fluent Bit config (``--config``) or a team's routing (``--routing``).

With ``--routing`` the config and its parsers file are compiled in memory, as
``compile`` would write them, and the routing names its app containers.
``--container`` names are checked against what the config routes.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from firelens_cdktf.errors import OptionError
from firelens_cdktf.fluentbit.config import FluentBitConfig, ParserSet
from firelens_cdktf.fluentbit.limits import FIRELENS_TAG_INFIX
from firelens_cdktf.fluentbit.preview_io import (
    image_root_from,
    load_for_preview,
    parsers_from_files,
    routed_containers,
    routes_tag,
)
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_cdktf.limits import LogClass


@dataclass(frozen=True)
class ConfigInput:
    """A config to preview or lint, and where it came from.

    Attributes:
        config, parsers: the config and every parser it can use.
        name: how messages name it: the config's path, or ``the routing MODULE:ATTRIBUTE``.
        containers: the routing's app containers; ``None`` for a config file.
        log_classes: the routing's log groups and their classes; empty for a
            config file (its groups are taken as Standard).
    """

    config: FluentBitConfig
    parsers: ParserSet
    name: str
    containers: tuple[str, ...] | None = None
    log_classes: Mapping[str, LogClass] = field(default_factory=dict)


def load_config_input(args: argparse.Namespace) -> ConfigInput:
    """The config ``--config`` (with ``--parsers``) or ``--routing`` gives.

    Raises:
        OptionError: ``--parsers`` with ``--routing``.
        RoutingSpecError: the routing cannot be loaded.
        RouteError, LintError: the routing does not compile.
        PreviewInputError, FluentBitSyntaxError, OSError: the config or a parsers file cannot be read.
    """
    if args.routing is None:
        config, parsers = load_for_preview(args.config, args.parsers, image_root_from(args.image_root))
        return ConfigInput(config, parsers, " + ".join(args.config))
    if args.parsers:
        raise OptionError(
            f"firelens-cdktf {args.command}",
            "--parsers",
            args.parsers[0],
            "a parsers file only with --config",
            "leave --parsers out: --routing compiles its own parsers file with the config",
        )
    # start-up time: only --routing needs the compiler and the linter it runs (a tenth of a second)
    from firelens_cdktf.cli.routing import load_routing

    # start-up time, as above
    from firelens_cdktf.routing.compiler import compile_routing

    routing = load_routing(args.routing)
    compiled = compile_routing(routing)
    return ConfigInput(
        compiled.config,
        parsers_from_files(compiled.config, compiled.files),
        f"the routing {args.routing}",
        tuple(app.container for app in routing.apps),
        routing.log_classes,
    )


def check_containers(source: ConfigInput, names: Sequence[str], firelens: FirelensContext) -> None:
    """Every ``--container`` name must be one the config routes: its FireLens tag meets some Match.

    Raises:
        OptionError: a name no Match takes, naming the containers the config does route.
    """
    for name in names:
        if routes_tag(source.config, firelens.tag(name)) is not False:
            continue
        known = list(source.containers) if source.containers is not None else routed_containers(source.config)
        close = difflib.get_close_matches(name, known, n=1)
        if source.containers is not None:
            add = f"add AppLogRouting({name!r}, ...) to the routing"
        else:
            add = f"add a Match for its tag to the config, e.g. Match {name}{FIRELENS_TAG_INFIX}*"
        if close:
            fix = f"did you mean --container {close[0]}? If {name} is right and logs to FireLens, {add}"
        elif known:
            fix = f"pass one of those; if {name} logs to FireLens too, {add}"
        else:
            fix = f"if {name} logs to FireLens, {add}"
        allowed = (
            f"a container it routes: {', '.join(known)}"
            if known
            else f"a container some Match takes (its tag is <NAME>{FIRELENS_TAG_INFIX}<task id>); none matches {name}'s"
        )
        raise OptionError(source.name, "--container", name, allowed, fix)
