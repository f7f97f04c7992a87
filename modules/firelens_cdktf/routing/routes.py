r"""Where an app container's logs go, declared in Python.

A :class:`Route` picks records by testing one field with a regex and sends
them to a :class:`Destination`; whatever no route takes goes to the app's
default destination. :class:`LogRouting` gathers the apps of one task.
:func:`firelens_cdktf.routing.compiler.compile_routing` turns it into the Fluent
Bit config the log router runs.

How a record travels (the order routes are declared in matters):

1. FireLens tags it ``<container>-firelens-<task id>``; the app's JSON line
   in ``log`` is parsed into the record.
2. Each route, in order, tests its field: a match sends a copy to the
   route's destination. With ``keep_original=False`` the record stops there
   (later routes and the default never see it); with ``True`` it goes on.
3. What is left goes to the default destination.

A routing declared with this module (the article's, as this project's app declares it)::

    LogRouting(
        region="ap-northeast-1",
        apps=(AppLogRouting(
            container="rails-app",
            default=CloudWatchLogs("/sample-metrics-fluentbit"),
            routes=(
                Route("sql", field="name", pattern="^(ActiveRecord)$",
                      destination=FirehoseStream("put-s3-sample-metrics-logs")),
                Route("labelled", field="payload.label", pattern=r"\A[A-Za-z0-9_-]+\z",
                      destination=CloudWatchLogs("/sample-metrics-fluentbit/analysis"),
                      keep_original=True, tag_suffix_field="payload.label"),
            ),
        ),),
    )
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from firelens_cdktf.errors import RouteError
from firelens_cdktf.fluentbit import limits
from firelens_cdktf.fluentbit import tag_match as _glob
from firelens_cdktf.fluentbit.onigmo import InvalidRegex, UnsupportedRegex, compile_onigmo
from firelens_cdktf.fluentbit.record_accessor import KeyPath
from firelens_cdktf.limits import LOG_CLASSES_PAGE, LogClass

#: First part of every tag a route re-emits. FireLens tags start with a
#: container name, which cannot contain a dot, so no app ``Match`` can ever
#: catch ``routed.<container>.<route>`` again: re-emitted copies cannot loop.
ROUTED_TAG_PREFIX = "routed"

_ROUTE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class Destination(ABC):
    """Somewhere records are delivered: one Fluent Bit output plugin.

    Subclass it to add a kind (S3, a Kinesis data stream...): give the
    plugin name, its options, and a label for diagrams.
    """

    #: Fluent Bit output plugin that delivers to this kind of destination.
    plugin: ClassVar[str]

    @abstractmethod
    def output_options(self, region: str) -> tuple[tuple[str, str], ...]:
        """Plugin options (besides Name, Alias, Match, Retry_Limit), in order."""

    @property
    @abstractmethod
    def label(self) -> str:
        """Human name, e.g. ``CloudWatch Logs /sample-metrics-fluentbit``."""

    @property
    @abstractmethod
    def identity(self) -> tuple[str, str]:
        """``(kind, name)`` of the AWS resource; two destinations with the same
        identity must be declared identically."""


@dataclass(frozen=True)
class CloudWatchLogs(Destination):
    """A CloudWatch Logs log group (created by Terraform, never by Fluent Bit).

    Args:
        log_group: log group name.
        stream_prefix: streams are named ``<prefix><tag>``. Default: ``fluentbit-``
            (the article's).
        retention_days: retention Terraform sets on the group. Default: 30
            days (the article's); ``None`` keeps logs forever.
        log_class: the group's class, fixed when it is created.
            ``LogClass.INFREQUENT_ACCESS`` (or ``"INFREQUENT_ACCESS"``) halves
            the ingestion price but has no metric filters, subscription
            filters or Live Tail (``limits.INFREQUENT_ACCESS_LACKS``); changing
            the class of a group that exists replaces it, and its events are
            lost. Default: not set, so Terraform leaves ``log_group_class``
            out: AWS creates the group in the Standard class and Terraform
            keeps the class of a group that exists. Set ``LogClass.STANDARD``
            to have Terraform hold the group to Standard.
    """

    plugin: ClassVar[str] = "cloudwatch_logs"
    log_group: str
    stream_prefix: str = "fluentbit-"
    retention_days: int | None = 30
    log_class: LogClass | None = None

    def __post_init__(self) -> None:
        where = f"CloudWatchLogs({self.log_group!r})"
        if not limits.LOG_GROUP_NAME_PATTERN.match(self.log_group):
            raise RouteError(
                where, "log_group", self.log_group, "1-512 of A-Z a-z 0-9 . - _ / #", "rename the log group"
            )
        if (
            not self.stream_prefix
            or len(self.stream_prefix) > limits.LOG_STREAM_NAME_MAX_LENGTH
            or set(self.stream_prefix) & limits.LOG_STREAM_FORBIDDEN_CHARACTERS
        ):
            raise RouteError(
                where,
                "stream_prefix",
                self.stream_prefix,
                "1-512 characters without ':' or '*'",
                "use a prefix such as 'fluentbit-'",
            )
        if self.retention_days is not None and self.retention_days not in limits.LOG_RETENTION_DAYS:
            raise RouteError(
                where,
                "retention_days",
                self.retention_days,
                ", ".join(str(d) for d in limits.LOG_RETENTION_DAYS) + " or None",
                "pick the nearest allowed number of days",
            )
        if self.log_class is not None:
            try:
                # A plain string is accepted as written in AWS's API; equality then holds either way.
                object.__setattr__(self, "log_class", LogClass(self.log_class))
            except ValueError:
                raise RouteError(
                    where,
                    "log_class",
                    self.log_class,
                    "LogClass.STANDARD or LogClass.INFREQUENT_ACCESS ('STANDARD', 'INFREQUENT_ACCESS') or None",
                    "use INFREQUENT_ACCESS for logs read rarely (half the ingestion price, no metric or "
                    f"subscription filters: {LOG_CLASSES_PAGE}); the DELIVERY class cannot take a router's logs",
                ) from None

    @property
    def effective_class(self) -> LogClass:
        """The class the group has once created: ``log_class``, or Standard when it is not set."""
        return self.log_class or LogClass.STANDARD

    @property
    def infrequent_access(self) -> bool:
        """Whether the group is in the Infrequent Access class (no features of ``INFREQUENT_ACCESS_LACKS``)."""
        return self.effective_class is LogClass.INFREQUENT_ACCESS

    def output_options(self, region: str) -> tuple[tuple[str, str], ...]:
        """Options of a ``cloudwatch_logs`` output; the group must already exist."""
        return (
            ("region", region),
            ("log_group_name", self.log_group),
            ("log_stream_prefix", self.stream_prefix),
            ("auto_create_group", "false"),
        )

    @property
    def label(self) -> str:
        """``CloudWatch Logs <group>``."""
        return f"CloudWatch Logs {self.log_group}"

    @property
    def identity(self) -> tuple[str, str]:
        """``("log_group", name)``."""
        return ("log_group", self.log_group)


@dataclass(frozen=True)
class FirehoseStream(Destination):
    """A Kinesis Data Firehose delivery stream (direct put).

    Args:
        delivery_stream: stream name.
        simple_aggregation: pack several records into one Firehose record.
            Firehose bills every record as at least 5 KB, so small log lines
            cost far less aggregated. Needs Fluent Bit >= 4.2.2. Default: on.
    """

    plugin: ClassVar[str] = "kinesis_firehose"
    delivery_stream: str
    simple_aggregation: bool = True

    def __post_init__(self) -> None:
        if not limits.DELIVERY_STREAM_NAME_PATTERN.match(self.delivery_stream):
            raise RouteError(
                f"FirehoseStream({self.delivery_stream!r})",
                "delivery_stream",
                self.delivery_stream,
                "1-64 of a-z A-Z 0-9 _ . -",
                "rename the delivery stream",
            )

    def output_options(self, region: str) -> tuple[tuple[str, str], ...]:
        """Options of a ``kinesis_firehose`` output."""
        return (
            ("region", region),
            ("delivery_stream", self.delivery_stream),
            ("simple_aggregation", "true" if self.simple_aggregation else "false"),
        )

    @property
    def label(self) -> str:
        """``Firehose <stream>``."""
        return f"Firehose {self.delivery_stream}"

    @property
    def identity(self) -> tuple[str, str]:
        """``("firehose", name)``."""
        return ("firehose", self.delivery_stream)


@dataclass(frozen=True)
class Route:
    """Send the records whose ``field`` matches ``pattern`` to ``destination``.

    Args:
        name: short id (lower-case letters, digits, ``_``, ``-``); it names
            the route's tag, filter and output, so renaming it renames them.
        field: the record field tested, as a dotted path (``name``,
            ``payload.label``), after the app's JSON line was parsed.
        pattern: a regex searched in the field's value (anywhere, unless
            anchored), in Fluent Bit's Ruby syntax, where ``^``/``$`` match at
            any line of a value (use ``\\A``/``\\z`` for the whole value). Only
            string values can match. No spaces, ``"`` or ``${``: write ``\\s``.
        destination: where matching records go.
        keep_original: also let the record continue to later routes and the
            default destination. Default: no, the record moves.
        tag_suffix_field: append this field's value to the route's tag
            (``routed.<app>.<route>.<value>``), so CloudWatch gets one stream
            per value. Default: none. Keep ``pattern`` strict enough that the
            value is tag-safe (letters, digits, ``_ - . ,``).
    """

    name: str
    field: str
    pattern: str
    destination: Destination
    keep_original: bool = False
    tag_suffix_field: str | None = None

    def __post_init__(self) -> None:
        where = f"Route {self.name!r}"
        if not _ROUTE_NAME.match(self.name):
            raise RouteError(
                where,
                "name",
                self.name,
                "1-32 of a-z 0-9 _ -, starting with a letter or digit",
                "rename the route, e.g. 'sql'",
            )
        _path(where, "field", self.field)
        if self.tag_suffix_field is not None:
            _path(where, "tag_suffix_field", self.tag_suffix_field)
        if not self.pattern or any(c.isspace() for c in self.pattern) or '"' in self.pattern or "${" in self.pattern:
            raise RouteError(
                where,
                "pattern",
                self.pattern,
                "a non-empty regex without spaces, '\"' or '${'",
                "write a space as \\s or \\x20 and drop the quotes",
            )
        try:
            compile_onigmo(self.pattern)
        except InvalidRegex as exc:
            raise RouteError(where, "pattern", self.pattern, f"a valid regex ({exc})", "fix the regex") from None
        except UnsupportedRegex as exc:
            raise RouteError(
                where,
                "pattern",
                self.pattern,
                f"regex syntax the preview can check (not {exc})",
                "use plain classes, groups and anchors",
            ) from None
        if not isinstance(self.destination, Destination):
            raise RouteError(
                where,
                "destination",
                self.destination,
                "a Destination such as CloudWatchLogs(...)",
                "pass a destination object",
            )

    @property
    def key_path(self) -> KeyPath:
        """``field`` as a record accessor path."""
        return _path(f"Route {self.name!r}", "field", self.field)

    @property
    def suffix_path(self) -> KeyPath | None:
        """``tag_suffix_field`` as a record accessor path, if set."""
        if self.tag_suffix_field is None:
            return None
        return _path(f"Route {self.name!r}", "tag_suffix_field", self.tag_suffix_field)


def _path(where: str, field_name: str, value: str) -> KeyPath:
    try:
        return KeyPath.from_dotted(value)
    except ValueError as exc:
        raise RouteError(
            where, field_name, value, f"a dotted path of record keys ({exc})", "write it like 'payload.label'"
        ) from None


@dataclass(frozen=True)
class AppLogRouting:
    """The routes of one app container and where the rest of its logs go.

    Args:
        container: the container's name in the task definition; FireLens
            tags its records with it, so every Match derives from it.
        default: destination for every record no route moved away.
        routes: tried in order. Default: none (everything to ``default``).
        json_key: the record key holding the app's stdout line, parsed as
            JSON before routing. Default: ``log`` (FireLens puts it there);
            ``None`` skips parsing.
        keep_metadata: keep FireLens's metadata beside the keys parsed from
            the app's JSON line, on every record of this container, routed
            copies included: ``container_id``, ``container_name`` and
            ``source`` (Docker's log driver) and ``ecs_cluster``,
            ``ecs_task_arn``, ``ecs_task_definition`` (FireLens). Compiles to
            the parser filter's ``Reserve_Data On``; the raw line in
            ``json_key`` is still dropped once parsed (``Preserve_Key Off``),
            and a key of the app's that has one of those names is shadowed:
            Fluent Bit's outputs write each key once, the last. Default:
            off, the article's: a parsed record holds only the app's keys
            (CloudWatch Logs and Firehose bill by size), though a route's
            copies get the ``ecs_*`` keys back, since FireLens adds them again
            when a copy re-enters the pipeline (see docs/routing-and-preview.md).
    """

    container: str
    default: Destination
    routes: tuple[Route, ...] = ()
    json_key: str | None = "log"
    keep_metadata: bool = False

    def __post_init__(self) -> None:
        where = f"AppLogRouting({self.container!r})"
        if not limits.CONTAINER_NAME_PATTERN.match(self.container):
            raise RouteError(
                where,
                "container",
                self.container,
                "1-255 of A-Z a-z 0-9 _ - (an ECS container name, which becomes part of every tag)",
                "use the container name from the task definition",
            )
        if not isinstance(self.default, Destination):
            raise RouteError(
                where,
                "default",
                self.default,
                "a Destination such as CloudWatchLogs('/app/logs'): every record no route moves goes there",
                "pass default=CloudWatchLogs(...); with no routes, all of the app's logs go there",
            )
        if not isinstance(self.routes, tuple) or not all(isinstance(r, Route) for r in self.routes):
            raise RouteError(where, "routes", self.routes, "a tuple of Route", "wrap the routes in a tuple")
        names = [route.name for route in self.routes]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise RouteError(where, "routes", duplicates, "unique route names", "rename the duplicate routes")
        if self.json_key is not None and not self.json_key:
            raise RouteError(where, "json_key", self.json_key, "a record key or None", "use 'log'")
        if not isinstance(self.keep_metadata, bool):
            raise RouteError(
                where,
                "keep_metadata",
                self.keep_metadata,
                "True or False",
                "pass keep_metadata=True to keep container_name, source and ecs_* on every record",
            )

    @property
    def match(self) -> str:
        """``Match`` for this container's FireLens records: ``<container>-firelens-*``."""
        return f"{self.container}{limits.FIRELENS_TAG_INFIX}*"

    def route_tag(self, route: Route) -> str:
        """The fixed part of the tag a route re-emits into: ``routed.<container>.<route>``."""
        return f"{ROUTED_TAG_PREFIX}.{self.container}.{route.name}"


@dataclass(frozen=True)
class LogRouting:
    """All app containers of a task whose logs the log router routes.

    Args:
        region: AWS region of every destination (e.g. ``ap-northeast-1``).
        apps: one entry per app container using the ``awsfirelens`` driver.
    """

    region: str
    apps: tuple[AppLogRouting, ...]

    def __post_init__(self) -> None:
        if not limits.REGION_PATTERN.match(self.region):
            raise RouteError(
                "LogRouting", "region", self.region, "an AWS region such as ap-northeast-1", "fix the region name"
            )
        if not isinstance(self.apps, tuple) or not self.apps:
            raise RouteError(
                "LogRouting",
                "apps",
                self.apps,
                "a non-empty tuple of AppLogRouting",
                "declare at least one app container",
            )
        containers = [app.container for app in self.apps]
        duplicates = sorted({c for c in containers if containers.count(c) > 1})
        if duplicates:
            raise RouteError(
                "LogRouting",
                "apps",
                duplicates,
                "one AppLogRouting per container",
                "merge the routes of each container",
            )
        for app in self.apps:
            for other in self.apps:
                prefix = f"{app.container}{limits.FIRELENS_TAG_INFIX}"
                if other is not app and _glob.overlaps(app.match, f"{other.container}{limits.FIRELENS_TAG_INFIX}*"):
                    raise RouteError(
                        "LogRouting",
                        "apps",
                        [app.container, other.container],
                        f"container names whose FireLens tags {app.match!r} cannot confuse",
                        f"rename {other.container!r} so it does not start with {prefix!r}",
                    )
        seen: dict[tuple[str, str], Destination] = {}
        for destination in self.destinations:
            earlier = seen.setdefault(destination.identity, destination)
            if (
                isinstance(earlier, CloudWatchLogs)
                and isinstance(destination, CloudWatchLogs)
                and earlier.effective_class != destination.effective_class
            ):
                raise RouteError(
                    "LogRouting",
                    "log_class",
                    f"{destination.log_group} as {earlier.effective_class} and as {destination.effective_class}",
                    "one class per log group (a group's class is fixed when it is created)",
                    "declare the CloudWatchLogs destination once and reuse it, or give the Infrequent Access "
                    "routes a log group of their own",
                )
            if earlier != destination:
                raise RouteError(
                    "LogRouting",
                    "destinations",
                    f"{earlier!r} and {destination!r}",
                    "one declaration per AWS resource",
                    "declare the destination once and reuse the object",
                )

    @property
    def destinations(self) -> tuple[Destination, ...]:
        """Every destination used, in declaration order, each once."""
        out: list[Destination] = []
        for app in self.apps:
            for destination in (*(r.destination for r in app.routes), app.default):
                if destination not in out:
                    out.append(destination)
        return tuple(out)

    @property
    def log_groups(self) -> tuple[CloudWatchLogs, ...]:
        """The CloudWatch log groups used (Terraform creates them)."""
        return tuple(d for d in self.destinations if isinstance(d, CloudWatchLogs))

    @property
    def log_classes(self) -> dict[str, LogClass]:
        """Log group name -> the class it is created in."""
        return {group.log_group: group.effective_class for group in self.log_groups}

    @property
    def firehose_streams(self) -> tuple[FirehoseStream, ...]:
        """The Firehose delivery streams used."""
        return tuple(d for d in self.destinations if isinstance(d, FirehoseStream))
