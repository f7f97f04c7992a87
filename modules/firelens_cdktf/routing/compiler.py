"""Compile a :class:`~firelens_cdktf.routing.routes.LogRouting` into the log router's Fluent Bit files.

FireLens includes the compiled ``extra.conf`` (``config-file-type file``,
``/fluent-bit/etc/extra.conf``) after its own generated sections, so the file
holds only ``[SERVICE]``, ``[FILTER]`` and ``[OUTPUT]`` sections; the parsers
file sits next to it. What the output guarantees:

- every ``Match`` derives from a container name: ``<container>-firelens-*``
  for the app's records (FireLens tags them ``<container>-firelens-<task id>``),
  ``routed.<container>.<route>[.*]`` for a route's copies; no ``Match *``;
- routes re-emit into ``routed.<container>.<route>``, a namespace no app
  Match can catch (container names have no dot), so copies cannot loop;
  each rewrite_tag has its own ``Emitter_Name`` and ``Emitter_Mem_Buf_Limit``;
- each app's first filter is a ``multiline`` filter in ``Mode
  partial_message`` on ``log``: it joins the 16 KiB pieces Docker's log
  driver cuts a longer stdout line into, so such a line is parsed and
  routed whole (:mod:`firelens_cdktf.fluentbit.output_limits`);
- every filter and output has an ``Alias`` (names in metrics and previews);
- ``Flush``/``Grace`` in ``[SERVICE]``, ``Retry_Limit`` on every output,
  Fluent Bit's HTTP server on loopback with ``Health_Check On`` (what the
  log router's container health check queries),
  ``auto_create_group false`` (Terraform creates the log groups),
  ``simple_aggregation`` on Firehose outputs (needs Fluent Bit >= 4.2.2);
- the same routing gives the same bytes, whatever order its apps are
  declared in (their sections come by container name); a comment above
  each block says which app and route it serves;
- the result passes :func:`firelens_cdktf.lint.checks.check_config` (checked here).

Example:
    >>> from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, LogRouting
    >>> compiled = compile_routing(LogRouting(region="eu-west-1", apps=(
    ...     AppLogRouting("web", default=CloudWatchLogs("/team/web")),)))
    >>> sorted(compiled.files)
    ['/fluent-bit/etc/extra.conf', '/fluent-bit/etc/parsers_json.conf']
"""

from __future__ import annotations

from dataclasses import dataclass

from firelens_cdktf.errors import RouteError
from firelens_cdktf.fluentbit import limits
from firelens_cdktf.fluentbit.config import (
    Entry,
    FluentBitConfig,
    ParserDefinition,
    Section,
    parse_config,
    parse_parsers,
    render_config,
)
from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE, FLUENT_BIT_VERSION
from firelens_cdktf.fluentbit.simulator import FIRELENS_METADATA_KEYS
from firelens_cdktf.lint.checks import check_config
from firelens_cdktf.lint.findings import Finding
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, Destination, FirehoseStream, LogRouting, Route

#: Name of the JSON parser the compiled parsers file defines.
JSON_PARSER_NAME = "json"
#: The key Docker's fluentd log driver puts each stdout line, or piece of
#: one, in (moby daemon/logger/fluentd/fluentd.go).
DOCKER_LINE_KEY = "log"


@dataclass(frozen=True)
class CompiledRouting:
    """The files a routing compiles to, and what the infrastructure needs from it.

    The pipeline bakes :attr:`files` into the log router image (``FROM``
    :attr:`image`), creates :attr:`log_groups`, and grants the task role
    access to exactly :attr:`log_groups` and :attr:`firehose_streams`.
    """

    routing: LogRouting
    extra_conf: str
    parsers_conf: str
    config_path: str
    parsers_path: str
    config: FluentBitConfig
    parsers: dict[str, ParserDefinition]
    warnings: tuple[Finding, ...]
    image: str = FLUENT_BIT_INIT_IMAGE

    @property
    def files(self) -> dict[str, str]:
        """Absolute path inside the image -> file content."""
        return {self.config_path: self.extra_conf, self.parsers_path: self.parsers_conf}

    @property
    def grace_seconds(self) -> int:
        """``[SERVICE] Grace``: how long Fluent Bit drains on shutdown (the router's stopTimeout must cover it)."""
        grace = self.config.service_setting("Grace")
        return int(grace) if grace else limits.FLUENT_BIT_DEFAULT_GRACE_SECONDS

    @property
    def http_port(self) -> int | None:
        """Port of Fluent Bit's HTTP server (monitoring and health API), or ``None`` when it is off."""
        if (self.config.service_setting("HTTP_Server") or "off").lower() not in ("on", "true", "yes"):
            return None
        return int(self.config.service_setting("HTTP_Port") or limits.DEFAULT_HTTP_PORT)

    @property
    def emitter_buffer_bytes(self) -> int:
        """Sum of every rewrite_tag ``Emitter_Mem_Buf_Limit``: memory the routes' copies may hold."""
        return sum(
            limits.size_bytes(s.get("Emitter_Mem_Buf_Limit") or limits.DEFAULT_EMITTER_MEM_BUF_LIMIT)
            for s in self.config.filters
            if s.plugin == "rewrite_tag"
        )

    @property
    def log_groups(self) -> tuple[CloudWatchLogs, ...]:
        """CloudWatch log groups the outputs write to (Terraform must create them)."""
        return self.routing.log_groups

    @property
    def firehose_streams(self) -> tuple[FirehoseStream, ...]:
        """Firehose delivery streams the outputs write to."""
        return self.routing.firehose_streams

    @property
    def log_group_names(self) -> tuple[str, ...]:
        """Names of :attr:`log_groups`."""
        return tuple(g.log_group for g in self.log_groups)

    @property
    def delivery_stream_names(self) -> tuple[str, ...]:
        """Names of :attr:`firehose_streams`."""
        return tuple(s.delivery_stream for s in self.firehose_streams)

    @property
    def containers(self) -> tuple[str, ...]:
        """App containers that must use the ``awsfirelens`` log driver."""
        return tuple(app.container for app in self.routing.apps)


def output_alias(app: AppLogRouting, route: Route | None) -> str:
    """Alias of the output serving ``route`` (``None``: the app's default)."""
    return f"{app.container}.{route.name if route else 'default'}"


def compile_routing(
    routing: LogRouting,
    *,
    flush_seconds: int = limits.DEFAULT_FLUSH_SECONDS,
    grace_seconds: int = limits.DEFAULT_GRACE_SECONDS,
    retry_limit: int | None = limits.DEFAULT_RETRY_LIMIT,
    retry_backoff_cap_seconds: int = limits.DEFAULT_SCHEDULER_CAP_SECONDS,
    storage_path: str | None = limits.DEFAULT_STORAGE_PATH,
    storage_max_chunks_up: int = limits.DEFAULT_STORAGE_MAX_CHUNKS_UP,
    emitter_mem_buf_limit: str = limits.DEFAULT_EMITTER_MEM_BUF_LIMIT,
    http_port: int | None = limits.DEFAULT_HTTP_PORT,
    health_errors_count: int = limits.DEFAULT_HC_ERRORS_COUNT,
    health_retry_failure_count: int = limits.DEFAULT_HC_RETRY_FAILURE_COUNT,
    health_period_seconds: int = limits.DEFAULT_HC_PERIOD_SECONDS,
    config_dir: str = limits.FIRELENS_CONFIG_DIR,
    config_file: str = "extra.conf",
    parsers_file: str = "parsers_json.conf",
    fluent_bit_version: tuple[int, int, int] = FLUENT_BIT_VERSION,
) -> CompiledRouting:
    """Compile ``routing`` into ``extra.conf`` and a parsers file, then lint them.

    Args:
        routing: the routes to compile.
        flush_seconds: ``[SERVICE] Flush``. Default: 1 s (the article's).
        grace_seconds: ``[SERVICE] Grace``: how long Fluent Bit drains on
            shutdown. Keep it below the log router's ``stopTimeout``
            (at most 120 s on Fargate). Default: 30 s (the article's).
        retry_limit: ``Retry_Limit`` of every output: how many times a failed
            chunk is retried before Fluent Bit drops it. Default: ``None``,
            retry for ever (``no_limits``): an outage of any length loses
            nothing while the disk holds the backlog.
        retry_backoff_cap_seconds: ``[SERVICE] scheduler.cap``, the longest
            wait between two retries: delivery resumes at most this long
            (plus 1 s) after an outage ends. Default: 30 s (Fluent Bit's is 2,000).
        storage_path: ``[SERVICE] storage.path``: buffer every input's chunks
            on disk there, FireLens's forward input included (``storage.type
            filesystem`` with ``storage.inherit On``), and every emitter's
            (``Emitter_Storage.type filesystem``), so no input is ever paused
            for memory and nothing is dropped while an output is slow or down.
            ``None`` buffers in memory, as Fluent Bit does by default, where a
            full buffer drops records silently. Default: ``/var/log/flb-storage/``
            (the task's ephemeral storage).
        storage_max_chunks_up: ``storage.max_chunks_up``: chunks held in memory
            at once (each at most ~2 MB) when buffering on disk. Default: 32.
        emitter_mem_buf_limit: ``Emitter_Mem_Buf_Limit`` of every route's
            emitter, a Fluent Bit size (``10M``): with memory buffering the
            bound of the route's copies in memory (a full emitter drops them);
            on disk, how much of them stays in memory. Default: 10M, Fluent Bit's.
        http_port: ``HTTP_Port`` of Fluent Bit's HTTP server, which listens on
            127.0.0.1 only and serves ``/api/v1/uptime`` and ``/api/v1/health``
            (``Health_Check On``) to the log router's container health check.
            ``None`` turns the server off (then the router can have no health
            check). Default: 2020, Fluent Bit's.
        health_errors_count: ``HC_Errors_Count``. Default: 5 (AWS's
            ``output-metrics-healthcheck.conf``).
        health_retry_failure_count: ``HC_Retry_Failure_Count``. Default: 5 (same source).
        health_period_seconds: ``HC_Period``. Default: 5 s (same source).
        config_dir: directory of both files in the image. Default: ``/fluent-bit/etc``.
        config_file: name of the config FireLens includes. Default: ``extra.conf``.
        parsers_file: name of the parsers file. Default: ``parsers_json.conf``.
        fluent_bit_version: Fluent Bit in the log router image; decides
            whether Firehose aggregation is available. Default: the pinned image's.

    Raises:
        RouteError: an option is out of range, or a destination needs a newer Fluent Bit.
        LintError: the compiled config would lose or loop records (a bug here).
    """
    _check_options(flush_seconds, grace_seconds, retry_limit, emitter_mem_buf_limit, config_file, parsers_file)
    durability = _Durability(retry_limit, retry_backoff_cap_seconds, storage_path, storage_max_chunks_up)
    durability.check()
    _check_http(http_port, health_errors_count, health_retry_failure_count, health_period_seconds)
    for stream in routing.firehose_streams:
        if stream.simple_aggregation and fluent_bit_version < limits.SIMPLE_AGGREGATION_MIN_FLUENT_BIT:
            raise RouteError(
                f"FirehoseStream({stream.delivery_stream!r})",
                "simple_aggregation",
                True,
                f"only with Fluent Bit >= {'.'.join(map(str, limits.SIMPLE_AGGREGATION_MIN_FLUENT_BIT))} "
                f"(this image has {'.'.join(map(str, fluent_bit_version))})",
                "pin a newer aws-for-fluent-bit image or pass simple_aggregation=False",
            )
    config_path = f"{config_dir.rstrip('/')}/{config_file}"
    parsers_path = f"{config_dir.rstrip('/')}/{parsers_file}"
    service = _service(
        parsers_path,
        flush_seconds,
        grace_seconds,
        http_port,
        (health_errors_count, health_retry_failure_count, health_period_seconds),
        durability,
    )
    sections = _sections(routing, service, durability, emitter_mem_buf_limit)
    extra_conf = render_config(
        sections,
        header=(
            f"{config_file}: log routing for FireLens, generated by firelens_cdktf.routing.compiler; do not edit.",
            "FireLens runs its own ECS-metadata filter (Match *) before these sections.",
        ),
    )
    parsers_conf = render_config(
        (_json_parser(),),
        header=(
            f"{parsers_file}: parsers for {config_file}, generated by firelens_cdktf.routing.compiler; do not edit.",
        ),
    )
    config = parse_config(extra_conf, source=config_file)
    parsers = parse_parsers(parsers_conf, source=parsers_file)
    warnings = check_config(
        config, containers=[app.container for app in routing.apps], parsers=parsers, log_classes=routing.log_classes
    )
    return CompiledRouting(
        routing=routing,
        extra_conf=extra_conf,
        parsers_conf=parsers_conf,
        config_path=config_path,
        parsers_path=parsers_path,
        config=config,
        parsers=parsers,
        warnings=warnings,
    )


def _check_options(
    flush: int, grace: int, retry_limit: int | None, emitter_limit: str, config_file: str, parsers_file: str
) -> None:
    checks = (
        (isinstance(flush, int) and 1 <= flush <= 60, "flush_seconds", flush, "1..60 seconds", "use 1 (the article's)"),
        (
            isinstance(grace, int) and 1 <= grace <= limits.FARGATE_MAX_STOP_TIMEOUT_SECONDS,
            "grace_seconds",
            grace,
            f"1..{limits.FARGATE_MAX_STOP_TIMEOUT_SECONDS} seconds (Fargate's longest stopTimeout)",
            "keep Grace below the log router's stopTimeout",
        ),
        (
            retry_limit is None or (type(retry_limit) is int and 1 <= retry_limit <= 100),
            "retry_limit",
            retry_limit,
            "None (retry for ever) or 1..100",
            "leave it at None, so that no outage drops a chunk",
        ),
        (
            bool(limits.SIZE_PATTERN.match(emitter_limit)),
            "emitter_mem_buf_limit",
            emitter_limit,
            "a Fluent Bit size such as 10M",
            "write it like 10M or 512K",
        ),
        (_plain_file_name(config_file), "config_file", config_file, "a file name without '/'", "use extra.conf"),
        (
            _plain_file_name(parsers_file),
            "parsers_file",
            parsers_file,
            "a file name without '/'",
            "use parsers_json.conf",
        ),
    )
    for ok, field_name, value, allowed, fix in checks:
        if not ok:
            raise RouteError("compile_routing", field_name, value, allowed, fix)


def _check_http(port: int | None, errors: int, retry_failures: int, period: int) -> None:
    if port is not None and (
        isinstance(port, bool)
        or not isinstance(port, int)
        or not 1 <= port <= 65535
        or port in limits.FIRELENS_RESERVED_PORTS
    ):
        raise RouteError(
            "compile_routing",
            "http_port",
            port,
            f"1..65535 but not {', '.join(map(str, limits.FIRELENS_RESERVED_PORTS))} (FireLens's own inputs), or None",
            f"use {limits.DEFAULT_HTTP_PORT}, Fluent Bit's default",
        )
    for field_name, value in (
        ("health_errors_count", errors),
        ("health_retry_failure_count", retry_failures),
        ("health_period_seconds", period),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3600:
            raise RouteError(
                "compile_routing",
                field_name,
                value,
                "a whole number from 1 to 3600",
                "use 5 (AWS's output-metrics-healthcheck.conf)",
            )


def _plain_file_name(name: str) -> bool:
    return bool(name) and "/" not in name and not any(c.isspace() for c in name)


@dataclass(frozen=True)
class _Durability:
    """How the router holds on to records it cannot deliver yet: retries, their backoff, and where chunks wait."""

    retry_limit: int | None
    backoff_cap: int
    storage_path: str | None
    max_chunks_up: int

    def check(self) -> None:
        if (
            type(self.backoff_cap) is not int
            or not 1 <= self.backoff_cap <= limits.FLUENT_BIT_DEFAULT_SCHEDULER_CAP_SECONDS
        ):
            raise RouteError(
                "compile_routing",
                "retry_backoff_cap_seconds",
                self.backoff_cap,
                f"a whole number of seconds from 1 to {limits.FLUENT_BIT_DEFAULT_SCHEDULER_CAP_SECONDS}",
                f"use {limits.DEFAULT_SCHEDULER_CAP_SECONDS}",
            )
        if self.storage_path is not None and (
            not self.storage_path.startswith("/") or any(c.isspace() for c in self.storage_path)
        ):
            raise RouteError(
                "compile_routing",
                "storage_path",
                self.storage_path,
                "an absolute path without spaces, or None for memory buffering",
                f"use {limits.DEFAULT_STORAGE_PATH!r}",
            )
        if type(self.max_chunks_up) is not int or not 1 <= self.max_chunks_up <= 4096:
            raise RouteError(
                "compile_routing",
                "storage_max_chunks_up",
                self.max_chunks_up,
                "a whole number from 1 to 4096",
                f"use {limits.DEFAULT_STORAGE_MAX_CHUNKS_UP}",
            )

    @property
    def retry_limit_value(self) -> str:
        return limits.RETRY_FOREVER if self.retry_limit is None else str(self.retry_limit)

    @property
    def on_disk(self) -> bool:
        return self.storage_path is not None


def _service(
    parsers_path: str,
    flush: int,
    grace: int,
    http_port: int | None,
    health: tuple[int, int, int],
    durability: _Durability,
) -> Section:
    entries = [("Flush", str(flush)), ("Grace", str(grace)), ("Parsers_File", parsers_path)]
    comments = [f"Flush every {flush} s; on shutdown wait up to {grace} s for outputs."]
    entries.append(("scheduler.cap", str(durability.backoff_cap)))
    comments.append(f"Retries wait at most {durability.backoff_cap} s, so delivery resumes soon after an outage ends.")
    if durability.storage_path is not None:
        entries += [
            ("storage.path", durability.storage_path),
            ("storage.type", "filesystem"),
            ("storage.inherit", "On"),
            ("storage.max_chunks_up", str(durability.max_chunks_up)),
        ]
        comments.append(
            f"Chunks wait on disk in {durability.storage_path}, FireLens's own input's too (storage.inherit): "
            "no input is paused for memory, so nothing is dropped while an output is slow or down."
        )
    if http_port is not None:
        errors, retry_failures, period = health
        entries += [
            ("HTTP_Server", "On"),
            ("HTTP_Listen", limits.DEFAULT_HTTP_LISTEN),
            ("HTTP_Port", str(http_port)),
            ("Health_Check", "On"),
            ("HC_Errors_Count", str(errors)),
            ("HC_Retry_Failure_Count", str(retry_failures)),
            ("HC_Period", str(period)),
        ]
        comments.append(
            f"Health API on {limits.DEFAULT_HTTP_LISTEN}:{http_port} for the container health check "
            f"(/api/v1/uptime; /api/v1/health fails after {errors} errors or {retry_failures} exhausted "
            f"retries in {period} s)."
        )
    return _section("SERVICE", *entries, comments=tuple(comments))


def _sections(routing: LogRouting, service: Section, durability: _Durability, emitter_limit: str) -> list[Section]:
    # Apps by container name: each app's sections match only its own tags, so their order means nothing,
    # and declaring the apps in another order must not give another config (a new image, a new task revision).
    apps = sorted(routing.apps, key=lambda app: app.container)
    sections = [service]
    for app in apps:
        sections.extend(_app_filters(app, emitter_limit, durability))
    for app in apps:
        sections.extend(_app_outputs(app, routing.region, durability.retry_limit_value))
    return sections


def _app_filters(app: AppLogRouting, emitter_limit: str, durability: _Durability) -> list[Section]:
    # An emitter sets its own storage type (memory unless told), so storage.inherit does not reach it.
    emitter_storage = "filesystem" if durability.on_disk else "memory"
    # Docker's log driver cuts a stdout line of 16 KiB or more into partial records (fluentbit/output_limits.py);
    # joined first, a long JSON line is parsed and routed whole instead of landing in `default` in pieces.
    out: list[Section] = [
        _section(
            "FILTER",
            ("Name", "multiline"),
            ("Alias", f"{app.container}.join"),
            ("Match", app.match),
            ("Mode", "partial_message"),
            ("multiline.key_content", DOCKER_LINE_KEY),
            ("emitter_storage.type", emitter_storage),
            comments=(
                f"{app.container}: join the 16 KiB pieces Docker's log driver cuts a longer stdout line into "
                "(partial_message), so the line is parsed and routed whole.",
            ),
        )
    ]
    if app.json_key is not None:
        parse: list[tuple[str, str]] = [
            ("Name", "parser"),
            ("Alias", f"{app.container}.parse"),
            ("Match", app.match),
            ("Key_Name", app.json_key),
            ("Parser", JSON_PARSER_NAME),
        ]
        comments = [
            f"{app.container}: parse the JSON line the app wrote (key {app.json_key!r}); a line that is "
            f"not JSON passes unchanged."
        ]
        if app.keep_metadata:
            # plugins/filter_parser/filter_parser.c: the other keys follow the parsed ones; the parsed one goes.
            parse.append(("Reserve_Data", "On"))
            comments.append(
                f"keep_metadata: {', '.join(FIRELENS_METADATA_KEYS)} stay beside the parsed keys (Reserve_Data); "
                f"{app.json_key!r} itself is dropped."
            )
        out.append(_section("FILTER", *parse, comments=tuple(comments)))
    for route in app.routes:
        tag = app.route_tag(route)
        if route.suffix_path is not None:
            tag += "." + route.suffix_path.accessor
        keep = "true" if route.keep_original else "false"
        effect = "copy them" if route.keep_original else "move them (the original is dropped)"
        out.append(
            _section(
                "FILTER",
                ("Name", "rewrite_tag"),
                ("Alias", f"{app.container}.route.{route.name}"),
                ("Match", app.match),
                ("Rule", f"{route.key_path.accessor} {route.pattern} {tag} {keep}"),
                ("Emitter_Name", f"{app.container}.route.{route.name}.emitter"),
                ("Emitter_Storage.type", emitter_storage),
                ("Emitter_Mem_Buf_Limit", emitter_limit),
                comments=(
                    f"{app.container} / route {route.name!r}: records whose {route.field} matches {route.pattern}:"
                    f" {effect} to {route.destination.label}.",
                ),
            )
        )
    return out


def _app_outputs(app: AppLogRouting, region: str, retry_limit: str) -> list[Section]:
    out: list[Section] = []
    for route in app.routes:
        match = app.route_tag(route) + (".*" if route.suffix_path is not None else "")
        out.append(
            _output(
                app,
                route,
                route.destination,
                match,
                region,
                retry_limit,
                f"{app.container} / route {route.name!r}: deliver to {route.destination.label}.",
            )
        )
    out.append(
        _output(
            app,
            None,
            app.default,
            app.match,
            region,
            retry_limit,
            f"{app.container} / default: everything the routes did not move, to {app.default.label}.",
        )
    )
    return out


def _output(
    app: AppLogRouting,
    route: Route | None,
    destination: Destination,
    match: str,
    region: str,
    retry_limit: str,
    comment: str,
) -> Section:
    return _section(
        "OUTPUT",
        ("Name", destination.plugin),
        ("Alias", output_alias(app, route)),
        ("Match", match),
        *destination.output_options(region),
        ("Retry_Limit", retry_limit),
        comments=(comment,),
    )


def _json_parser() -> Section:
    return _section(
        "PARSER",
        ("Name", JSON_PARSER_NAME),
        ("Format", "json"),
        comments=("The app writes one JSON object per line; its keys become the record's keys.",),
    )


def _section(name: str, *entries: tuple[str, str], comments: tuple[str, ...] = ()) -> Section:
    return Section(name, tuple(Entry(k, v) for k, v in entries), comments)
