"""``make run``'s round trip: real app logs, routed by the image's config, delivered, read back, checked.

After the stacks are deployed to the emulator:

1. the sample app (``docker/app``) runs as a local process with its embedded
   sqlite3 database and gets the scripted workload; its stdout lines are
   what the ``awsfirelens`` driver would hand the log router;
2. the preview (:mod:`firelens_cdktf.fluentbit.simulator`) routes them with the files the log
   router image carries (``docker/firelens/extra.conf`` and its parsers
   file, checked equal to the routes compiled for the configured region),
   as a fresh task of the deployed cluster: every run is a new task id, so
   its default stream ``fluentbit-<container>-firelens-<task id>`` is new,
   as on ECS;
3. the local stand-in for the log router (:mod:`firelens_local.delivery`) sends
   each routed copy to the deployed stream or log group the config names,
   with the API calls Fluent Bit's outputs make;
4. the destinations are read back (:mod:`firelens_local.readback`) and what
   arrived is compared with what the preview predicted
   (:mod:`firelens_local.delivery_check`): zero missing, zero extra, every
   object key as Firehose names it, or an error that shows the difference;
5. the archive tables are checked (:mod:`firelens_local.archive_check`): the
   delivered SQL-log records read under the Glue table's columns (schema
   drift is reported), and the workgroup's saved queries run with DuckDB over
   the day partition this run wrote.

The test suite runs the same :func:`run_round_trip` against stacks it
deploys with plain Terraform.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from firelens_app.config import PipelineConfig, pipeline_routing
from firelens_app.paths import DOCKER_DIR
from firelens_cdktf.cost.estimate import AthenaScan, ObservedStream, TrafficMix, observe_mix
from firelens_cdktf.fluentbit.config import FluentBitConfig, ParserDefinition
from firelens_cdktf.fluentbit.preview_io import load_for_preview, read_input_records
from firelens_cdktf.fluentbit.record_accessor import encode_json
from firelens_cdktf.fluentbit.simulator import FirelensContext, Outcome, Simulator
from firelens_cdktf.routing.compiler import CompiledRouting
from firelens_harness.router_mode import RealRouter, RouterRun, deliver_with_fluent_bit
from firelens_local.archive_check import ArchiveCheck, check_archive
from firelens_local.delivery import (
    CloudWatchOutput,
    DeliveryPlan,
    FirehoseOutput,
    RoutedCopy,
    StandInError,
    aws_outputs,
    plan_delivery,
    routed_copies,
    send,
)
from firelens_local.delivery_check import (
    Accounting,
    account,
    converted_records,
    expected_object_bytes,
    expected_records,
    misnamed_keys,
    observed_object_bytes,
    observed_records,
    require_exact,
)
from firelens_local.emulator import emulator_client
from firelens_local.firehose_keys import key_pattern
from firelens_local.readback import (
    FirehoseDestination,
    StoredEvent,
    StoredObject,
    arrivals_since,
    read_deployed_table,
    read_firehose_destination,
    read_objects,
    read_snapshot,
)

#: The sample app's workload driver (docker/ is not a Python package: the file is loaded by path).
WORKLOAD_PATH = DOCKER_DIR / "app" / "workload.py"
#: The log router image's build context: the files the image carries.
ROUTER_DIR = DOCKER_DIR / "firelens"


class Progress(Protocol):
    """Where the round trip reports what it is doing (``make run`` prints numbered steps)."""

    def step(self, title: str) -> None:
        """A new step begins."""

    def detail(self, text: str) -> None:
        """A line about the current step."""


class SilentProgress:
    """Reports nothing (the tests)."""

    def step(self, title: str) -> None:
        """Ignore."""

    def detail(self, text: str) -> None:
        """Ignore."""


@dataclass(frozen=True)
class DeployedPipeline:
    """The ``pipeline`` stack's outputs.

    Example::

        DeployedPipeline.from_outputs(json.loads(Path(".emulator/outputs.json").read_text())["pipeline"])
    """

    cluster_name: str
    service_name: str
    task_definition_arn: str
    route_log_groups: tuple[str, ...]
    router_log_group: str
    delivery_streams: tuple[str, ...]
    archive_buckets: tuple[str, ...]
    repository_urls: Mapping[str, str]
    archive_tables: tuple[str, ...] = ()
    athena_workgroups: tuple[str, ...] = ()

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> DeployedPipeline:
        """From ``{name: value}`` (cdktf's outputs file) or ``terraform output -json``'s ``{name: {"value": ...}}``.

        Raises:
            KeyError: an output is missing (the message names it).
        """

        def value(name: str, default: Any = None) -> Any:
            if name not in outputs:
                if default is not None:
                    return default
                raise KeyError(f"pipeline output {name!r} is missing (outputs: {sorted(outputs)}); redeploy the stack")
            raw = outputs[name]
            return raw["value"] if isinstance(raw, Mapping) and "value" in raw and "type" in raw else raw

        return cls(
            cluster_name=value("cluster_name"),
            service_name=value("service_name"),
            task_definition_arn=value("task_definition_arn"),
            route_log_groups=tuple(value("route_log_groups")),
            router_log_group=value("router_log_group"),
            delivery_streams=tuple(value("delivery_streams")),
            archive_buckets=tuple(value("archive_buckets")),
            repository_urls=dict(value("repository_urls")),
            # Absent when the stack was deployed without archive queries.
            archive_tables=tuple(value("archive_tables", ())),
            athena_workgroups=tuple(value("athena_workgroups", ())),
        )

    @property
    def task_definition(self) -> str:
        """``family:revision`` of the task definition."""
        return self.task_definition_arn.rsplit("/", 1)[-1]

    @property
    def account(self) -> str:
        """The account id in the task definition's ARN."""
        return self.task_definition_arn.split(":")[4]


@dataclass(frozen=True)
class RouterFiles:
    """The log router's config as the image carries it, parsed.

    Attributes:
        compiled: the routes compiled for the configured region (equal to the files).
        config: ``extra.conf`` parsed.
        parsers: its parsers.
        config_path: where ``extra.conf`` was read.
    """

    compiled: CompiledRouting
    config: FluentBitConfig
    parsers: Mapping[str, ParserDefinition]
    config_path: Path

    @property
    def container(self) -> str:
        """The app container whose stdout the router receives."""
        return self.compiled.containers[0]

    @property
    def flush_seconds(self) -> float:
        """``[SERVICE] Flush`` (Fluent Bit's default is 1 s)."""
        return float(self.config.service_setting("Flush") or "1")


def load_router_files(config: PipelineConfig, directory: Path = ROUTER_DIR) -> RouterFiles:
    """Read the files the log router image carries, after checking they are the compiled routes.

    Raises:
        StandInError: a file is missing or differs from what the routes
            compile to for ``config`` (synth writes them; run ``make synth``).
    """
    compiled = pipeline_routing(config)
    for image_path, text in compiled.files.items():
        local = directory / Path(image_path).name
        if not local.exists() or local.read_text(encoding="utf-8") != text:
            raise StandInError(
                str(local),
                f"is not the routes compiled for region {config.region} "
                f"({'missing' if not local.exists() else 'differs'}); the image would carry other "
                "routes than the ones being checked",
                "run 'make synth' (it writes docker/firelens/), then 'make run'",
            )
    config_path = directory / Path(compiled.config_path).name
    parsed, parsers = load_for_preview(str(config_path))
    return RouterFiles(compiled, parsed, parsers, config_path)


def load_workload() -> ModuleType:
    """``docker/app/workload.py``, loaded by path (``docker/`` must not become a package)."""
    spec = importlib.util.spec_from_file_location("sample_app_workload", WORKLOAD_PATH)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {WORKLOAD_PATH}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def new_run_id() -> str:
    """A fresh FireLens task id (32 hex digits, like ECS's): each run is a new task."""
    return uuid.uuid4().hex


def firelens_context(pipeline: DeployedPipeline, region: str, run_id: str) -> FirelensContext:
    """The ECS metadata FireLens would add for a task of the deployed service."""
    return FirelensContext(
        cluster=pipeline.cluster_name,
        task_id=run_id,
        task_definition=pipeline.task_definition,
        region=region,
        account=pipeline.account,
    )


def route_lines(lines: Sequence[str], router: RouterFiles, firelens: FirelensContext) -> tuple[Outcome, ...]:
    """Where each stdout line goes, as the preview predicts it with the router's files.

    Raises:
        StandInError: a line's fate is not fully predicted (the check could not be exact).
    """
    simulator = Simulator(router.config, router.parsers, firelens=firelens)
    outcomes = []
    for number, line in enumerate(lines, start=1):
        for tag, record in read_input_records(line, number, container=router.container, firelens=firelens):
            outcome = simulator.run(tag, record)
            if not outcome.complete:
                notes = "; ".join(n.message for n in outcome.notes if n.kind == "unknown")
                raise StandInError(
                    f"app stdout line {number}",
                    f"the preview cannot predict where it goes ({notes})",
                    "keep the routes to what the preview models",
                )
            outcomes.append(outcome)
    return tuple(outcomes)


def check_outputs_deployed(
    outputs: Mapping[str, FirehoseOutput | CloudWatchOutput], pipeline: DeployedPipeline, region: str
) -> None:
    """Every output of the config names a deployed resource in the deployed region.

    Raises:
        StandInError: one does not (the config and the stack disagree).
    """
    for name, output in outputs.items():
        if output.region != region:
            raise StandInError(
                f"output {name!r}",
                f"region {output.region} is not the deployed region {region}",
                "compile the routes for the region you deploy (FIRELENS_REGION)",
            )
        if isinstance(output, FirehoseOutput) and output.delivery_stream not in pipeline.delivery_streams:
            raise StandInError(
                f"output {name!r}",
                f"delivery stream {output.delivery_stream!r} is not deployed "
                f"(deployed: {list(pipeline.delivery_streams)})",
                "redeploy the pipeline stack",
            )
        if isinstance(output, CloudWatchOutput) and output.log_group not in pipeline.route_log_groups:
            raise StandInError(
                f"output {name!r}",
                f"log group {output.log_group!r} is not deployed (deployed: {list(pipeline.route_log_groups)})",
                "redeploy the pipeline stack",
            )


@dataclass(frozen=True)
class AwsClients:
    """The boto3 clients the round trip uses (Glue and Athena: to query the archive)."""

    s3: Any
    logs: Any
    firehose: Any
    glue: Any
    athena: Any

    @classmethod
    def for_endpoint(cls, endpoint: str, region: str) -> AwsClients:
        """Clients for the emulator at ``endpoint`` (fake credentials, never a real account)."""

        def client(service: str) -> Any:
            return emulator_client(service, endpoint, region)

        return cls(
            s3=client("s3"),
            logs=client("logs"),
            firehose=client("firehose"),
            glue=client("glue"),
            athena=client("athena"),
        )


@dataclass(frozen=True)
class RoundTrip:
    """Everything one round trip produced and found.

    Attributes:
        run_id: the FireLens task id of this run.
        lines: the app's stdout lines.
        statuses: ``(path, status)`` of the workload's requests.
        router: the log router's files.
        outcomes: the preview's outcome per routed line.
        copies: what each output received.
        plan: the API calls made.
        calls: how many data-sending calls were made.
        destinations: delivery stream -> its S3 destination.
        objects: the S3 objects this run wrote.
        events: the log events this run wrote.
        accounting: the exact comparison.
        seconds: wall time per step.
        archive: per archive table, the schema check and the saved queries' results.
    """

    run_id: str
    lines: tuple[str, ...]
    statuses: tuple[tuple[str, int], ...]
    router: RouterFiles
    outcomes: tuple[Outcome, ...]
    copies: tuple[RoutedCopy, ...]
    plan: DeliveryPlan
    calls: int
    destinations: Mapping[str, FirehoseDestination]
    objects: tuple[StoredObject, ...]
    events: tuple[StoredEvent, ...]
    accounting: Accounting
    seconds: Mapping[str, float]
    archive: tuple[ArchiveCheck, ...] = ()
    router_run: RouterRun | None = None
    router_version: str = ""

    @property
    def router_label(self) -> str:
        """Which router delivered: the stand-in, or the real Fluent Bit and its version."""
        return (
            f"the real log router, {self.router_version}"
            if self.router_run
            else "the local stand-in for the log router"
        )

    def athena_scans(self) -> tuple[AthenaScan, ...]:
        """What each saved query read, per delivery stream: input to the cost model's Athena lines."""
        streams = {d.bucket: stream for stream, d in self.destinations.items()}
        return tuple(
            AthenaScan(
                streams.get(check.bucket, check.bucket), result.query.name, result.bytes_scanned, result.raw_bytes
            )
            for check in self.archive
            if check.queries
            for result in check.queries.results
        )

    def traffic_mix(self) -> TrafficMix:
        """The observed mix for the cost model: every record once as baseline, then per destination."""
        baseline = [
            encode_json(_unrouted(outcome).record).encode("utf-8") for outcome in self.outcomes if outcome.deliveries
        ]
        groups: dict[str, list[bytes]] = {}
        for delivery in self.plan.cloudwatch:
            groups.setdefault(delivery.output.log_group, []).extend(e.message.encode("utf-8") for e in delivery.events)
        streams = []
        for firehose in self.plan.firehose:
            destination = self.destinations[firehose.output.delivery_stream]
            streams.append(
                ObservedStream(
                    firehose.output.delivery_stream,
                    tuple((b + "\n").encode("utf-8") for b in firehose.bodies),
                    # Parquet (Snappy) stores about what GZIP does: make bench-archive measured 1.05x
                    compressed=destination.compression != "UNCOMPRESSED" or destination.schema_table is not None,
                    simple_aggregation=firehose.output.simple_aggregation,
                    buffer_mib=destination.buffer_mib,
                    buffer_seconds=destination.buffer_seconds,
                )
            )
        return observe_mix(
            baseline,
            [ObservedStream(g, tuple(p)) for g, p in groups.items()],
            streams,
            flush_seconds=self.router.flush_seconds,
            athena=self.athena_scans(),
        )


def _unrouted(outcome: Outcome) -> Any:
    """The copy that stands for the record with no routes: the one still under its own tag, else the first."""
    for delivery in outcome.deliveries:
        if delivery.tag == outcome.tag:
            return delivery
    return outcome.deliveries[0]


def run_round_trip(
    *,
    pipeline: DeployedPipeline,
    config: PipelineConfig,
    clients: AwsClients,
    progress: Progress | None = None,
    run_id: str | None = None,
    router_dir: Path = ROUTER_DIR,
    real_router: RealRouter | None = None,
    emulator_port: int | None = None,
) -> RoundTrip:
    """Run the app, route its lines, deliver, read back and check; see the module docstring.

    Raises:
        StandInError: the app, the router files or a delivery failed.
        DeliveryMismatch: the read-back differs from the prediction (the message shows how).
    """
    report = progress or SilentProgress()
    run_id = run_id or new_run_id()
    seconds: dict[str, float] = {}

    report.step("running the sample app (docker/app, a local process with sqlite3) and sending the workload")
    started = time.monotonic()
    workload = load_workload()
    run = workload.run_workload()
    if run.unexpected() or run.returncode != 0:
        raise StandInError(
            "the sample app",
            f"unexpected answers {[(r.step.path, r.status) for r in run.unexpected()]} "
            f"or exit status {run.returncode}; stderr: {run.stderr}",
            "run python docker/app/workload.py",
        )
    statuses = tuple((r.step.path, r.status) for r in run.responses)
    for path, status in statuses:
        report.detail(f"GET {path} -> {status}")
    report.detail(f"{len(run.lines)} stdout lines captured")
    seconds["app"] = time.monotonic() - started

    report.step("routing the lines with the preview over the files the log router image carries")
    started = time.monotonic()
    router = load_router_files(config, router_dir)
    firelens = firelens_context(pipeline, config.region, run_id)
    outcomes = route_lines(run.lines, router, firelens)
    outputs = aws_outputs(router.config)
    check_outputs_deployed(outputs, pipeline, config.region)
    copies = routed_copies(outcomes, timestamp_ms=int(time.time() * 1000))
    plan = plan_delivery(copies, outputs)
    report.detail(
        f"{os.path.relpath(router.config_path)} (= the routes compiled for {config.region}), "
        f"as task {run_id} of cluster {pipeline.cluster_name}"
    )
    report.detail(f"{len(outcomes)} records -> {len(copies)} routed copies")
    seconds["route"] = time.monotonic() - started

    started = time.monotonic()
    destinations = {
        stream: read_firehose_destination(clients.firehose, stream)
        for stream in sorted({o.delivery_stream for o in outputs.values() if isinstance(o, FirehoseOutput)})
    }
    groups = sorted({o.log_group for o in outputs.values() if isinstance(o, CloudWatchOutput)})
    buckets = sorted({d.bucket for d in destinations.values()})
    before = read_snapshot(clients.s3, clients.logs, buckets=buckets, log_groups=groups)
    days = {datetime.now(UTC).date()}
    router_run: RouterRun | None = None
    if real_router is None:
        report.step(
            "delivering with the LOCAL STAND-IN for the log router (Fluent Bit's outputs' API calls, via boto3)"
        )
        calls = send(plan, firehose=clients.firehose, logs=clients.logs)
    else:
        report.step(
            f"delivering with the REAL log router ({real_router.version}): the image's files, fed as Docker's "
            "fluentd driver feeds FireLens, then stopped with SIGTERM"
        )
        if emulator_port is None:
            raise StandInError("the real log router", "needs the emulator's port", "pass emulator_port=")
        router_run = deliver_with_fluent_bit(
            real_router,
            router_dir=router_dir,
            firelens=firelens,
            region=config.region,
            emulator_port=emulator_port,
            container=router.container,
            lines=run.lines,
        )
        calls = 0
        report.detail(
            f"{router_run.lines} lines fed ({router_run.pieces} forward messages); after SIGTERM the router "
            f"drained and exited {router_run.returncode} in {router_run.stop_seconds:.1f} s; "
            f"{router_run.cpu_seconds:.2f} s of CPU, peak RSS {router_run.peak_rss_bytes / 2**20:.0f} MiB"
        )
    days.add(datetime.now(UTC).date())  # a delivery across midnight writes into two days
    for firehose in plan.firehose if real_router is None else ():
        report.detail(
            f"Firehose PutRecordBatch -> {firehose.output.delivery_stream}: {len(firehose.bodies)} records "
            f"in {len(firehose.records)} Firehose record(s), {len(firehose.batches)} call(s)"
        )
    for cloudwatch in plan.cloudwatch if real_router is None else ():
        report.detail(
            f"CloudWatch PutLogEvents -> {cloudwatch.output.log_group} / {cloudwatch.log_stream}: "
            f"{len(cloudwatch.events)} events, {len(cloudwatch.batches)} call(s)"
        )
    seconds["deliver"] = time.monotonic() - started

    report.step("reading back from the emulator and checking against the preview")
    started = time.monotonic()
    after = read_snapshot(clients.s3, clients.logs, buckets=buckets, log_groups=groups)
    arrived = arrivals_since(before, after)
    objects = read_objects(clients.s3, arrived.object_keys)
    by_stream = {stream: d.bucket for stream, d in destinations.items()}
    expected = expected_records(plan, by_stream)
    # A converting stream stores Parquet rows of the table's columns: compare rows, not lines or bytes.
    converting = {d.bucket: d.schema_table for d in destinations.values() if d.schema_table}
    for bucket, table in converting.items():
        expected = converted_records(expected, bucket, read_deployed_table(clients.glue, table).columns)
    accounting = account(
        expected,
        observed_records(objects, arrived.events, parquet_buckets=set(converting)),
        expected_bytes={b: n for b, n in expected_object_bytes(plan, by_stream).items() if b not in converting},
        observed_bytes={b: n for b, n in observed_object_bytes(objects).items() if b not in converting},
        misnamed=misnamed_keys(objects, _key_patterns(destinations), days),
    )
    seconds["check"] = time.monotonic() - started
    result = RoundTrip(
        run_id,
        tuple(run.lines),
        statuses,
        router,
        outcomes,
        copies,
        plan,
        calls,
        destinations,
        objects,
        arrived.events,
        accounting,
        seconds,
        router_run=router_run,
        router_version=real_router.version if real_router else "",
    )
    require_exact(accounting)
    report.detail(accounting.describe())
    if pipeline.archive_tables:
        started = time.monotonic()
        archive = check_archive(
            tables=pipeline.archive_tables,
            workgroups=pipeline.athena_workgroups,
            s3=clients.s3,
            glue=clients.glue,
            athena=clients.athena,
            objects=objects,
            sent={by_stream[f.output.delivery_stream]: f.bodies for f in plan.firehose},
        )
        for check in archive:
            report.detail(f"archive table {check.table}: {check.drift.describe()[0]}")
            if check.queries and check.queries.loaded:
                report.detail(
                    f"  {len(check.queries.results)} saved queries of workgroup {check.workgroup} run with "
                    f"DuckDB over day {check.queries.loaded.day.isoformat()}"
                )
        result = dataclasses.replace(result, archive=archive, seconds={**seconds, "query": time.monotonic() - started})
    return result


def _key_patterns(destinations: Mapping[str, FirehoseDestination]) -> dict[str, list[re.Pattern[str]]]:
    """Bucket -> the key pattern of each stream that writes to it."""
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for stream, destination in destinations.items():
        patterns.setdefault(destination.bucket, []).append(
            key_pattern(
                destination.prefix,
                stream,
                compression=destination.compression,
                file_extension=destination.file_extension,
            )
        )
    return patterns
