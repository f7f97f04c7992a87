"""Faults with the real log router: endpoint outages, throttling, a stop right after a burst, a burst past the
emitters' buffers; for each, records sent, delivered, lost and duplicated.

Every scenario runs a real Fluent Bit as the FireLens log router
(:class:`firelens_local.fluent_bit.FluentBitRun`) with the router image's
files as shipped (``docker/firelens``: ``extra.conf``, its parsers, the
``drain-then-stop.sh`` wrapper the image's ``CMD`` runs), unedited, against a
fresh emulator holding the destinations the config names (each Firehose
stream into a GZIP bucket, each log group). The app is the sample app's
stdout (``tests/fixtures/records/rails_app_stdout.log``), fed as Docker's
fluentd log driver feeds FireLens (:class:`firelens_local.forward.ForwardClient`).

**Counting.** Every line gets a sequence number of its own: a ``"seq"`` key
first in a JSON object line, a `` #seq=N`` suffix on any other line; neither
changes where the line goes. The preview (:class:`~firelens_cdktf.fluentbit.simulator.Simulator`,
over the same config) says which destinations each line's records reach.
What the emulator holds at the end is read back (S3 objects gunzipped, every
event of every stream of the log groups) and each record is matched by its
number:

- *delivered*: expected and present (once counted);
- *lost*: expected and absent;
- *duplicated*: present more times than expected;
- *unexpected*: present where the preview sends nothing (0 unless the
  preview and Fluent Bit disagree).

Duplicates are explained, not hidden. Fluent Bit retries a failed flush's
whole chunk (plugins/out_kinesis_firehose/firehose.c ``cb_firehose_flush``
returns ``FLB_RETRY``; cloudwatch_logs likewise), and with
``simple_aggregation`` each ``PutRecordBatch`` carries one aggregated record
of at most 1,024,000 bytes (firehose_api.c ``send_aggregated_record``,
``MAX_EVENT_SIZE``): a chunk of more than that is several calls, and when a
later one fails, the earlier ones are sent again, byte for byte. The emulator
stores one object per call, so such a repeat is an object whose body another
object already holds: :attr:`ScenarioResult.repeated_in_whole_calls` counts
the Firehose records that arrived again that way.

Scenarios (:data:`SCENARIOS`): ``outage-30s``, ``outage-90s``,
``outage-3min`` (the endpoint refuses, or drops, every connection
mid-stream; the sample is sent at a steady rate before, during and after),
``throttling`` (the emulator answers a share of ``PutRecordBatch`` with
``ServiceUnavailableException`` or a partial failure), ``stop`` (a burst,
then SIGTERM at once, as ECS stops the router right after the app exits;
everything must arrive within the task's stopTimeout), ``burst`` (more at
once than the rewrite_tag emitters' 10M buffers).

Needs root (the router runs in private namespaces) and a Fluent Bit binary:
``FLUENT_BIT=/path/to/fluent-bit``, else what ``make fluent-bit`` built.
All traffic stays on loopback; every wait is bounded.

Command line (``make faults``)::

    python -m firelens_harness.faults                                  # every scenario, about 11 minutes
    python -m firelens_harness.faults --scenario outage-30s --scenario stop
    python -m firelens_harness.faults --rate 300 --log-dir /tmp/fb-logs   # keep each run's Fluent Bit log
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from firelens_app.paths import DOCKER_DIR, PROJECT_ROOT
from firelens_cdktf.errors import StandInError
from firelens_cdktf.fluentbit.config import FluentBitConfig, ParserSet
from firelens_cdktf.fluentbit.preview_io import load_for_preview
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator
from firelens_harness.router_mode import (
    BINARY_ENV,
    FLUENT_BIT,
    ROUTER_ENV,
    STOP_TIMEOUT_SECONDS,
    WRAPPER_NAME,
    RealRouter,
    choose_router,
)
from firelens_local.emulator import Emulator
from firelens_local.fault_proxy import ProxyMode
from firelens_local.faults import FaultPlan, PutRecordBatchFaults, read_journal, write_plan
from firelens_local.fluent_bit import FluentBitRun
from firelens_local.forward import FeedResult, ForwardClient, Rate, docker_messages
from firelens_local.msgpack_encoder import EventTime
from firelens_local.readback import stream_events

__all__ = [
    "SCENARIOS",
    "Count",
    "Destination",
    "Observed",
    "Rig",
    "ScenarioResult",
    "find_router",
    "load_sample",
    "main",
    "run_scenario",
    "tag_line",
]

#: The router image's files, as shipped.
ROUTER_DIR = DOCKER_DIR / "firelens"
#: The sample app's stdout: 20 lines of every kind it writes, the odd ones too.
SAMPLE = PROJECT_ROOT / "tests" / "fixtures" / "records" / "rails_app_stdout.log"
#: The app container the shipped config routes, and the region its outputs name.
CONTAINER = "rails-app"
REGION = "ap-northeast-1"
#: Lines per second of the steady stream: the issue's measurements sent the app's 306 lines once a second.
DEFAULT_RATE = 300.0
#: Seconds of steady stream before and after an outage.
AROUND_OUTAGE_SECONDS = 10.0
#: After the last line, how long delivery may take before what is missing counts as lost. The shipped
#: ``scheduler.cap 30`` bounds a retry's wait to 31 s (src/flb_scheduler.c ``backoff_full_jitter`` + 1).
DELIVERY_SECONDS = 150.0
#: How often the destinations are read back while waiting.
POLL_SECONDS = 3.0
#: The Fluent Bit log lines worth reporting, by what they mean.
_LOG_FINDINGS = {
    "chunk dropped after its last retry": re.compile(r"cannot be retried"),
    "input paused": re.compile(r"\bpaused\b"),
    "record discarded": re.compile(r"Discarding"),
    "errors": re.compile(r"\[error\]"),
    "warnings": re.compile(r"\[ warn\]"),
}
#: Bytes a burst is written in.
_WRITE_BYTES = 1 << 20
#: The longest a paced feed may take (the longest scenario's stream is 200 s).
_FEED_MAX_SECONDS = 900.0
_SEQ = re.compile(r'"seq":(\d+)|#seq=(\d+)')


def tag_line(line: str, seq: int) -> str:
    """``line`` carrying its sequence number: first key of a JSON object, else a ``#seq=`` suffix.

    Example:
        >>> tag_line('{"a":1}', 7), tag_line("=> Booting", 8), tag_line("[1,2]", 9)
        ('{"seq":7,"a":1}', '=> Booting #seq=8', '[1,2] #seq=9')
    """
    try:
        value = json.loads(line)
    except ValueError:
        value = None
    if isinstance(value, dict) and line.startswith("{"):
        return f'{{"seq":{seq}}}' if not value else f'{{"seq":{seq},{line[1:]}'
    return f"{line} #seq={seq}"


def seqs_in(text: str) -> list[int]:
    """Every sequence number in ``text`` (one per record it holds).

    Example:
        >>> seqs_in('{"seq":3,"log":"x"}\\n{"log":"y #seq=4"}')
        [3, 4]
    """
    return [int(a or b) for a, b in _SEQ.findall(text)]


def load_sample(path: Path = SAMPLE) -> tuple[str, ...]:
    """The sample app's stdout lines."""
    return tuple(path.read_text(encoding="utf-8").splitlines())


def burst_mix(sample: Sequence[str]) -> tuple[str, ...]:
    """Lines for a burst that loads both rewrite_tag emitters: the sample's SQL (moved to Firehose) and
    labelled lines (copied to the analysis group), and one plain request line, in equal numbers."""
    sql = next(line for line in sample if '"name":"ActiveRecord"' in line and '"payload"' in line)
    labelled = next(line for line in sample if '"label":"user_show"' in line)
    request = next(line for line in sample if '"name":"Rack"' in line)
    return sql, labelled, request


def find_router(env: Mapping[str, str] | None = None) -> RealRouter:
    """The real Fluent Bit to run: ``FLUENT_BIT``, else what ``make fluent-bit`` built.

    Raises:
        StandInError: no runnable binary, or not root (see :func:`firelens_harness.router_mode.choose_router`).
    """
    env = os.environ if env is None else env
    router = choose_router({ROUTER_ENV: FLUENT_BIT, BINARY_ENV: env.get(BINARY_ENV, "")})
    assert router is not None  # ROUTER=fluent-bit never chooses the stand-in
    return router


# --- where records go ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    """Where one output of the config delivers.

    Attributes:
        service: ``"Firehose"`` or ``"CloudWatch Logs"``.
        name: The delivery stream, or the log group.
    """

    service: str
    name: str

    def __str__(self) -> str:
        return f"{self.service} {self.name}"


def destinations(config: FluentBitConfig) -> dict[str, Destination]:
    """Each output's name (Alias, else ``<plugin>.<N>``) and where it delivers; other plugins' outputs left out."""
    found = {}
    for section in config.outputs:
        if section.plugin == "kinesis_firehose":
            found[config.output_name(section)] = Destination("Firehose", section.get("delivery_stream") or "")
        elif section.plugin == "cloudwatch_logs":
            found[config.output_name(section)] = Destination("CloudWatch Logs", section.get("log_group_name") or "")
    return found


class Routing:
    """Where each line's records go, as the preview predicts with the router's files (one template line at a time)."""

    def __init__(self, config: FluentBitConfig, parsers: ParserSet, firelens: FirelensContext) -> None:
        self.config = config
        self.parsers = parsers
        self.firelens = firelens
        self.destinations = destinations(config)
        self._cache: dict[str, Counter[Destination]] = {}
        self._simulator = Simulator(config, parsers, firelens=firelens)

    def of(self, template: str) -> Counter[Destination]:
        """The destinations of ``template``'s records (a count per destination), whatever its sequence number.

        Raises:
            StandInError: the preview cannot say, or a record goes to an output that is neither Firehose nor
                CloudWatch Logs (it could not be read back).
        """
        known = self._cache.get(template)
        if known is not None:
            return known
        line = tag_line(template, 1)
        pieces = self.firelens.wrap_line(CONTAINER, line, 1)
        # A line Docker cuts into pieces is joined by the config's multiline filter, which holds the pieces: it
        # gets a simulator of its own, finished after it. A whole line leaves nothing held: one simulator serves.
        simulator = (
            self._simulator if len(pieces) == 1 else Simulator(self.config, self.parsers, firelens=self.firelens)
        )
        outcomes = [simulator.run(self.firelens.tag(CONTAINER), record) for record in pieces]
        last = simulator.finish() if len(pieces) > 1 else None
        where: Counter[Destination] = Counter()
        for outcome in [*outcomes, *([last] if last else [])]:
            if not outcome.complete:
                raise StandInError(f"sample line {template[:60]!r}", "the preview cannot predict where it goes", "")
            for delivery in outcome.deliveries:
                if delivery.output not in self.destinations:
                    raise StandInError(
                        f"output {delivery.output}", "is not Firehose or CloudWatch Logs", "route to those two"
                    )
                where[self.destinations[delivery.output]] += 1
        self._cache[template] = where
        return where


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Records at one destination (or all), matched by sequence number; see the module's docstring."""

    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, int, int, int, int]:
        return self.expected, self.delivered, self.lost, self.duplicated, self.unexpected


@dataclass(frozen=True)
class ScenarioResult:
    """What one scenario sent and what arrived.

    Attributes:
        name: The scenario.
        description: What was done, in a line.
        lines: App stdout lines sent.
        line_bytes: Their bytes (each line's UTF-8 and its newline).
        counts: Per destination (``str(Destination)``).
        seconds: The scenario's wall time, start of the router to the last read-back.
        router: ``fluent-bit --version``'s first line.
        recovery_seconds: From the end of the fault (the outage, the throttling, the burst's last line) to when
            the last expected record was stored (``None``: not all arrived before the router was stopped, or
            the scenario has no such end).
        recovered_from: What :attr:`recovery_seconds` counts from, in words.
        stop_seconds: From SIGTERM (to the wrapper) to the router's exit.
        returncode: The router's exit code.
        repeated_in_whole_calls: Firehose records that arrived again inside an object whose whole body
            another object already holds: a PutRecordBatch call sent again by a whole-chunk retry.
        faulted_calls: PutRecordBatch calls the emulator failed whole or partly (the fault plan's journal).
        peak_rss_bytes: Fluent Bit's peak resident memory (``VmHWM``), ``None`` if never read.
        log_findings: Counts of telling lines in Fluent Bit's log (``_LOG_FINDINGS``).
        log_tail: The end of Fluent Bit's log.
    """

    name: str
    description: str
    lines: int
    line_bytes: int
    counts: Mapping[str, Count]
    seconds: float
    router: str
    recovery_seconds: float | None = None
    recovered_from: str = "the fault ended"
    stop_seconds: float | None = None
    returncode: int | None = None
    repeated_in_whole_calls: int = 0
    faulted_calls: int = 0
    peak_rss_bytes: int | None = None
    log_findings: Mapping[str, int] = field(default_factory=dict)
    log_tail: str = ""

    @property
    def total(self) -> Count:
        """Every destination together."""
        return sum(self.counts.values(), Count())

    @property
    def unexplained_duplicates(self) -> int:
        """Duplicates that are not whole PutRecordBatch calls sent again (CloudWatch's and any other)."""
        return self.total.duplicated - self.repeated_in_whole_calls

    def problems(self) -> list[str]:
        """What went wrong, a sentence each; empty when every expected record arrived, nothing else did, every
        duplicate is a whole call sent again, and the router stopped cleanly within the stopTimeout."""
        found = []
        for where, count in self.counts.items():
            if count.lost:
                found.append(f"{count.lost:,} of {count.expected:,} records lost at {where}")
            if count.unexpected:
                found.append(f"{count.unexpected:,} records at {where} the preview does not send there")
        if self.unexplained_duplicates:
            found.append(f"{self.unexplained_duplicates:,} duplicates are not whole PutRecordBatch calls sent again")
        if self.returncode != 0:
            found.append(
                f"the router exited {self.returncode} (None: still running at the stopTimeout, "
                f"{STOP_TIMEOUT_SECONDS} s)"
            )
        return found


# --- one run of the router against a fresh emulator ---------------------------------------------------


def _stream_events(logs: Any, group: str, stream: str) -> list[tuple[str, float]]:
    """Every event of one stream, oldest first, as ``(message, ingestionTime in epoch seconds)``."""
    return [(event["message"], event["ingestionTime"] / 1000) for event in stream_events(logs, group, stream)]


@dataclass
class Stored:
    """Records found at the destinations, by destination and sequence number."""

    records: Counter[tuple[Destination, int]] = field(default_factory=Counter)
    #: When each record was first stored (epoch seconds: the object's LastModified, the event's ingestionTime).
    first_stored: dict[tuple[Destination, int], float] = field(default_factory=dict)
    #: Records with no sequence number.
    unmatched: Counter[Destination] = field(default_factory=Counter)

    def add(self, destination: Destination, text: str, stored: float) -> list[int]:
        """Count the records of ``text`` (one record a line) stored at ``stored``; their sequence numbers."""
        found: list[int] = []
        for record in text.splitlines():
            seqs = seqs_in(record)
            if not seqs and record.strip():
                self.unmatched[destination] += 1
            found += seqs
        for seq in found:
            key = (destination, seq)
            self.records[key] += 1
            self.first_stored[key] = min(stored, self.first_stored.get(key, stored))
        return found


@dataclass
class Observed:
    """What the destinations held at the last read-back.

    S3 objects never change, so each is read once; a log stream is read whole every time (the emulator, as
    CloudWatch Logs, orders a stream's events by their timestamps, so a retried chunk's older events land
    before ones already read).
    """

    objects: Stored = field(default_factory=Stored)
    events: Stored = field(default_factory=Stored)
    #: Firehose records that arrived again inside an object whose whole body another object already holds.
    repeated_in_whole_calls: int = 0
    object_keys: set[tuple[str, str]] = field(default_factory=set)
    object_bodies: Counter[bytes] = field(default_factory=Counter)

    @property
    def records(self) -> Counter[tuple[Destination, int]]:
        return self.objects.records + self.events.records

    @property
    def unmatched(self) -> Counter[Destination]:
        return self.objects.unmatched + self.events.unmatched

    def first_stored(self, key: tuple[Destination, int]) -> float | None:
        times = [t for t in (self.objects.first_stored.get(key), self.events.first_stored.get(key)) if t is not None]
        return min(times) if times else None


class Rig:
    """A fresh emulator with the config's destinations, and the real router (shipped files, stop wrapper) on it.

    Args:
        router: The binary and its version.
        work_dir: Where the emulator's fault plan and journal go.
        router_dir: The router image's files. Default: ``docker/firelens``.
        wrapper: Run Fluent Bit under the image's stop wrapper (``drain-then-stop.sh`` in ``router_dir``), as the
            image does. Default: yes; ``False`` shows what Fluent Bit does on its own.
        progress: Told what happens, a line at a time.

    Use as a context manager; :meth:`close` stops the router (if still running) and the emulator.
    """

    def __init__(
        self,
        router: RealRouter,
        work_dir: Path,
        *,
        router_dir: Path = ROUTER_DIR,
        wrapper: bool = True,
        progress: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.router = router
        self.router_dir = router_dir
        self.wrapper = router_dir / WRAPPER_NAME if wrapper and (router_dir / WRAPPER_NAME).exists() else None
        self.progress = progress
        self.plan_path = work_dir / "faults.json"
        self.firelens = FirelensContext(
            task_id=uuid.uuid4().hex, cluster="faults", task_definition="rails-app:1", region=REGION
        )
        config, parsers = load_for_preview(str(router_dir / "extra.conf"))
        self.routing = Routing(config, parsers, self.firelens)
        self.emulator = Emulator(faults_file=self.plan_path)
        self.run: FluentBitRun | None = None
        self.expected: Counter[tuple[Destination, int]] = Counter()
        self.lines_sent = 0
        self.bytes_sent = 0
        self._next_seq = 1
        self._count_lock = threading.Lock()
        #: What the destinations hold, as last read back (:meth:`observe`).
        self.observed = Observed()

    def __enter__(self) -> Rig:
        try:
            self.emulator.start()
            self._deploy()
            self.run = FluentBitRun(
                binary=self.router.binary,
                router_dir=self.router_dir,
                firelens=self.firelens,
                region=REGION,
                emulator=self.emulator,
                wrapper=self.wrapper,
            ).start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.run is not None:
            self.run.close()
        self.emulator.stop()

    @property
    def router_run(self) -> FluentBitRun:
        if self.run is None:
            raise RuntimeError("Rig: not started")
        return self.run

    def _deploy(self) -> None:
        s3, firehose, logs = (self.emulator.client(s, REGION) for s in ("s3", "firehose", "logs"))
        for destination in set(self.routing.destinations.values()):
            if destination.service == "Firehose":
                s3.create_bucket(Bucket=destination.name, CreateBucketConfiguration={"LocationConstraint": REGION})
                firehose.create_delivery_stream(
                    DeliveryStreamName=destination.name,
                    ExtendedS3DestinationConfiguration={
                        "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                        "BucketARN": f"arn:aws:s3:::{destination.name}",
                        "CompressionFormat": "GZIP",
                    },
                )
            else:
                logs.create_log_group(logGroupName=destination.name)

    # --- feeding ----------------------------------------------------------------------------------

    def lines(self, template: Sequence[str], count: int) -> list[str]:
        """``count`` lines cycling through ``template``, each with the next sequence number; their
        records are added to what is expected."""
        out = []
        for i in range(count):
            line = template[i % len(template)]
            seq = self._next_seq
            self._next_seq += 1
            for destination, copies in self.routing.of(line).items():
                self.expected[(destination, seq)] += copies
            out.append(tag_line(line, seq))
        return out

    def feed(self, lines: Sequence[str], rate: Rate | None = None) -> FeedResult:
        """Send ``lines`` as the app's stdout, paced by ``rate``; ``None``: encoded first, then written as fast
        as the router reads, as Docker forwards an app that logs in a burst (encoding on the way, this
        process would be the bottleneck, at about 2 MB/s)."""
        first = seqs_in(lines[0])[0] if lines else 1
        with ForwardClient(self.router_run.socket_path, timeout=30.0) as client:
            if rate is not None:
                result = client.send_lines(
                    self.firelens, CONTAINER, lines, first_number=first, rate=rate, max_seconds=_FEED_MAX_SECONDS
                )
            else:
                stamp = EventTime.from_seconds(time.time())
                messages = [
                    data
                    for number, line in enumerate(lines, start=first)
                    for data in docker_messages(self.firelens, CONTAINER, line, number, stamp)
                ]
                wire = b"".join(messages)
                started = time.monotonic()
                for offset in range(0, len(wire), _WRITE_BYTES):  # each write within the client's timeout
                    client.send(wire[offset : offset + _WRITE_BYTES])
                line_bytes = sum(len(line.encode()) + 1 for line in lines)
                result = FeedResult(len(lines), len(messages), line_bytes, len(wire), time.monotonic() - started)
        with self._count_lock:  # two feeds may run at once (a burst into a steady stream)
            self.lines_sent += result.lines
            self.bytes_sent += result.line_bytes
        return result

    def feed_in_background(self, lines: Sequence[str], rate: Rate | None = None) -> Callable[[], FeedResult]:
        """Start :meth:`feed` on a thread; the returned function waits for it (and raises what it raised)."""
        outcome: list[FeedResult | Exception] = []

        def target() -> None:
            try:
                outcome.append(self.feed(lines, rate))
            except Exception as error:  # noqa: BLE001 - handed to the caller by join(), which raises it
                outcome.append(error)

        thread = threading.Thread(target=target, name="app-stdout", daemon=True)
        thread.start()

        def join() -> FeedResult:
            thread.join()
            if isinstance(outcome[0], Exception):
                raise outcome[0]
            return outcome[0]

        return join

    # --- reading back -------------------------------------------------------------------------------

    def observe(self) -> Observed:
        """Read back what the destinations hold, by destination and sequence number (see :class:`Observed`)."""
        s3, logs = self.emulator.client("s3", REGION), self.emulator.client("logs", REGION)
        seen = self.observed
        events = Stored()
        for destination in self.routing.destinations.values():
            if destination.service == "Firehose":
                self._read_objects(s3, destination)
                continue
            for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=destination.name):
                for stream in page.get("logStreams", []):
                    for message, ingested in _stream_events(logs, destination.name, stream["logStreamName"]):
                        events.add(destination, message, ingested)
        seen.events = events
        return seen

    def _read_objects(self, s3: Any, destination: Destination) -> None:
        """The bucket's objects not read yet."""
        seen = self.observed
        bucket = destination.name
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                if (bucket, item["Key"]) in seen.object_keys:
                    continue
                seen.object_keys.add((bucket, item["Key"]))
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                body = gzip.decompress(body) if item["Key"].endswith(".gz") else body
                found = seen.objects.add(destination, body.decode("utf-8", "replace"), item["LastModified"].timestamp())
                seen.object_bodies[body] += 1
                if seen.object_bodies[body] > 1:  # a PutRecordBatch call sent again, byte for byte
                    seen.repeated_in_whole_calls += len(found)

    def counts(self, observed: Observed) -> dict[str, Count]:
        """Expected against observed, per destination."""
        counts: dict[str, Count] = {}
        for destination in sorted(set(self.routing.destinations.values()), key=str):
            counts[str(destination)] = Count()
        records = observed.records
        for (destination, seq), want in self.expected.items():
            have = records.get((destination, seq), 0)
            counts[str(destination)] += Count(want, min(want, have), max(0, want - have), max(0, have - want))
        for (destination, seq), have in records.items():
            if (destination, seq) not in self.expected:
                counts[str(destination)] += Count(unexpected=have)
        for destination, extra in observed.unmatched.items():
            counts[str(destination)] += Count(unexpected=extra)
        return counts

    def missing(self) -> int:
        """Expected records not (yet) stored."""
        records = self.observe().records
        return sum(max(0, want - records.get(key, 0)) for key, want in self.expected.items())

    def wait_delivered(self, seconds: float = DELIVERY_SECONDS) -> bool:
        """Read back every :data:`POLL_SECONDS` until nothing expected is missing (``True``), at most ``seconds``."""
        started = time.monotonic()
        while True:
            missing = self.missing()
            waited = time.monotonic() - started
            if not missing:
                return True
            if waited >= seconds or not self.router_run.running():
                self.progress(f"  {missing:,} records still missing after {waited:.0f} s")
                return False
            self.progress(f"  waiting for delivery: {missing:,} records missing, {waited:.0f} s")
            time.sleep(POLL_SECONDS)

    def seconds_to_deliver(self, since: float) -> float | None:
        """From ``since`` (epoch seconds) to when the last expected record was first stored, by the emulator's
        own clock (an object's LastModified, an event's ingestionTime); ``None`` while any is missing."""
        times = [self.observed.first_stored(key) for key in self.expected]
        if any(t is None for t in times):
            return None
        return max([t for t in times if t is not None], default=since) - since

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> tuple[int | None, float]:
        """SIGTERM to the router (its wrapper), as ECS stops the container; its exit code and how long it took
        (``None``: still running after ``timeout``, the stopTimeout, when ECS would SIGKILL it)."""
        run = self.router_run
        started = time.monotonic()
        run.stop()
        try:
            code: int | None = run.wait(timeout)
        except TimeoutError:
            code = None
            run.close(grace=0)
        return code, time.monotonic() - started

    def result(
        self,
        name: str,
        description: str,
        started: float,
        *,
        recovery_seconds: float | None = None,
        recovered_from: str = "the fault ended",
        stop: tuple[int | None, float] | None = None,
    ) -> ScenarioResult:
        """The scenario's counts, from a last read-back."""
        if stop is None:
            stop = self.stop()
        observed = self.observe()
        log = self.router_run.log_text()
        findings = {what: len(pattern.findall(log)) for what, pattern in _LOG_FINDINGS.items()}
        faulted = sum(1 for call in read_journal(self.plan_path) if call.get("fault") not in (None, "none"))
        return ScenarioResult(
            name=name,
            description=description,
            lines=self.lines_sent,
            line_bytes=self.bytes_sent,
            counts=self.counts(observed),
            seconds=time.monotonic() - started,
            router=self.router.version,
            recovery_seconds=recovery_seconds,
            recovered_from=recovered_from,
            stop_seconds=stop[1],
            returncode=stop[0],
            repeated_in_whole_calls=observed.repeated_in_whole_calls,
            faulted_calls=faulted,
            peak_rss_bytes=self.router_run.peak_rss_bytes,
            log_findings={what: n for what, n in findings.items() if n},
            log_tail=log[-4000:],
        )


# --- scenarios ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What every scenario may be given.

    Attributes:
        rate: Lines per second of the steady stream.
        wrapper: Run Fluent Bit under the image's stop wrapper, as the image does.
        sample: The app's stdout lines the stream cycles through.
    """

    rate: float = DEFAULT_RATE
    wrapper: bool = True
    sample: tuple[str, ...] = field(default_factory=load_sample)


def _outage(seconds: float, mode: ProxyMode) -> Callable[[Rig, Options], ScenarioResult]:
    def scenario(rig: Rig, options: Options) -> ScenarioResult:
        started = time.monotonic()
        total = AROUND_OUTAGE_SECONDS * 2 + seconds
        join = rig.feed_in_background(rig.lines(options.sample, int(total * options.rate)), Rate(options.rate))
        time.sleep(AROUND_OUTAGE_SECONDS)
        rig.router_run.proxy.set_mode(mode)
        rig.progress(f"  outage: the endpoint {mode.value}s connections for {seconds:.0f} s")
        time.sleep(seconds)
        rig.router_run.proxy.set_mode(ProxyMode.PASS)
        ended = time.time()
        rig.progress("  outage over")
        join()
        rig.wait_delivered()
        return rig.result(
            f"outage-{_duration(seconds)}",
            f"the endpoint {mode.value}s every connection for {seconds:.0f} s mid-stream of "
            f"{options.rate:.0f} lines/s ({AROUND_OUTAGE_SECONDS:.0f} s before and after)",
            started,
            recovery_seconds=rig.seconds_to_deliver(ended),
            recovered_from="the outage ended",
        )

    return scenario


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f}min" if seconds >= 120 else f"{seconds:.0f}s"


#: The throttling plan: every 3rd PutRecordBatch refused whole, every 2nd other one partly failed.
THROTTLING = PutRecordBatchFaults(unavailable_every=3, partial_every=2, failed_share=0.5)
THROTTLING_SECONDS = 60.0
#: Lines of the burst sent into the throttled stream (its SQL part is about 2.5 MB, so its chunks need
#: several PutRecordBatch calls: the whole-chunk retry shows).
THROTTLING_BURST_LINES = 15_000


def _throttling(rig: Rig, options: Options) -> ScenarioResult:
    started = time.monotonic()
    write_plan(rig.plan_path, FaultPlan(THROTTLING))
    join = rig.feed_in_background(rig.lines(options.sample, int(THROTTLING_SECONDS * options.rate)), Rate(options.rate))
    time.sleep(THROTTLING_SECONDS / 3)
    rig.feed(rig.lines(burst_mix(options.sample), THROTTLING_BURST_LINES))
    join()
    write_plan(rig.plan_path, FaultPlan())
    ended = time.time()
    rig.wait_delivered()
    faults = THROTTLING
    return rig.result(
        "throttling",
        f"PutRecordBatch: every {faults.unavailable_every}rd call ServiceUnavailableException, every "
        f"{faults.partial_every}nd other one FailedPutCount, for {THROTTLING_SECONDS:.0f} s of "
        f"{options.rate:.0f} lines/s and a {THROTTLING_BURST_LINES:,}-line burst",
        started,
        recovery_seconds=rig.seconds_to_deliver(ended),
        recovered_from="the throttling ended",
    )


#: The stop scenario's burst: the issue's 6,400 records.
STOP_BURST_LINES = 6_400


def _stop(rig: Rig, options: Options) -> ScenarioResult:
    started = time.monotonic()
    rig.feed(rig.lines(options.sample, STOP_BURST_LINES))
    stop = rig.stop()  # at once, as ECS stops the router right after the app exits
    rig.progress(f"  router exited {stop[0]} {stop[1]:.1f} s after SIGTERM")
    how = "to the image's stop wrapper" if rig.wrapper else "to Fluent Bit itself (no stop wrapper)"
    return rig.result(
        "stop",
        f"{STOP_BURST_LINES:,} lines at once, then SIGTERM at once {how}; stopTimeout {STOP_TIMEOUT_SECONDS} s",
        started,
        stop=stop,
    )


#: The burst scenario's size: more than both emitters' 10M (Emitter_Mem_Buf_Limit) and FireLens's 25MB input.
BURST_BYTES = 40_000_000


def _burst(rig: Rig, options: Options) -> ScenarioResult:
    started = time.monotonic()
    mix = burst_mix(options.sample)
    per_line = sum(len(line) + 1 for line in mix) / len(mix)
    lines = rig.lines(mix, int(BURST_BYTES / per_line))
    fed = rig.feed(lines)
    rig.progress(f"  {fed.line_bytes / 1e6:.1f} MB in {fed.seconds:.1f} s")
    ended = time.time()
    rig.wait_delivered(DELIVERY_SECONDS * 2)
    return rig.result(
        "burst",
        f"{fed.lines:,} lines ({fed.line_bytes / 1e6:.0f} MB; a third each SQL, labelled, plain) at once",
        started,
        recovery_seconds=rig.seconds_to_deliver(ended),
        recovered_from="the last line was written",
    )


#: Every scenario by name, in the order the table lists them.
SCENARIOS: dict[str, Callable[[Rig, Options], ScenarioResult]] = {
    "outage-30s": _outage(30, ProxyMode.REFUSE),
    "outage-90s": _outage(90, ProxyMode.DROP),
    "outage-3min": _outage(180, ProxyMode.REFUSE),
    "throttling": _throttling,
    "stop": _stop,
    "burst": _burst,
}


def run_scenario(
    name: str,
    router: RealRouter,
    *,
    options: Options | None = None,
    progress: Callable[[str], None] = lambda _: None,
    log_dir: Path | None = None,
) -> ScenarioResult:
    """Run scenario ``name`` on a fresh emulator and router; its result.

    Raises:
        KeyError: no such scenario.
        EmulatorError: the emulator or the router did not start.
    """
    scenario = SCENARIOS[name]
    options = options or Options()
    with (
        tempfile.TemporaryDirectory(prefix=f"faults-{name}-") as work,
        Rig(router, Path(work), wrapper=options.wrapper, progress=progress) as rig,
    ):
        try:
            return scenario(rig, options)
        finally:
            if log_dir is not None:
                log_dir.mkdir(parents=True, exist_ok=True)
                (log_dir / f"{name}.log").write_text(rig.router_run.log_text())


# --- the table ------------------------------------------------------------------------------------------


def table(results: Sequence[ScenarioResult]) -> str:
    """The results as a table: a row per scenario (records over every destination), then one per destination."""
    width = max([len("scenario"), *(len(r.name) for r in results), *(len(w) + 2 for r in results for w in r.counts)])
    head = f"{'scenario':<{width}} {'lines':>8} {'expected':>9} {'delivered':>9} {'lost':>6} {'dup':>6} {'seconds':>8}"
    rows = [head, "-" * len(head)]
    for result in results:
        total = result.total
        rows.append(
            f"{result.name:<{width}} {result.lines:>8,} {total.expected:>9,} {total.delivered:>9,} {total.lost:>6,} "
            f"{total.duplicated:>6,} {result.seconds:>8.0f}"
        )
        for where, count in result.counts.items():
            extra = f"  unexpected {count.unexpected:,}" if count.unexpected else ""
            rows.append(
                f"{'  ' + where:<{width}} {'':>8} {count.expected:>9,} {count.delivered:>9,} {count.lost:>6,} "
                f"{count.duplicated:>6,}{extra}"
            )
    return "\n".join(rows)


def details(result: ScenarioResult) -> str:
    """What a table row cannot hold: the fault, the timings, duplicates explained, the router's log."""
    parts = [f"{result.name}: {result.description}"]
    timing = []
    if result.recovery_seconds is not None:
        timing.append(f"all stored {result.recovery_seconds:.0f} s after {result.recovered_from}")
    if result.stop_seconds is not None:
        timing.append(f"router exited {result.returncode} {result.stop_seconds:.1f} s after SIGTERM")
    if result.peak_rss_bytes is not None:
        timing.append(f"its peak RSS {result.peak_rss_bytes / 2**20:.0f} MiB")
    if timing:
        parts.append("  " + "; ".join(timing))
    if result.faulted_calls:
        parts.append(f"  emulator failed {result.faulted_calls} PutRecordBatch calls (fault plan)")
    if result.total.duplicated:
        parts.append(
            f"  duplicates: {result.repeated_in_whole_calls} in whole PutRecordBatch calls sent again "
            f"(whole-chunk retry), {result.unexplained_duplicates} otherwise"
        )
    if result.log_findings:
        parts.append("  Fluent Bit log: " + ", ".join(f"{n:,} {what}" for what, n in result.log_findings.items()))
    parts.extend(f"  PROBLEM: {problem}" for problem in result.problems())
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m firelens_harness.faults", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument(
        "--scenario", action="append", choices=list(SCENARIOS), help="run this one (repeatable). Default: all"
    )
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="lines per second of the steady stream")
    parser.add_argument("--log-dir", type=Path, help="keep each scenario's Fluent Bit log here")
    parser.add_argument(
        "--no-wrapper", action="store_true", help="run Fluent Bit alone, not under the image's stop wrapper"
    )
    args = parser.parse_args(argv)
    try:
        router = find_router()
    except StandInError as error:
        print(f"make faults: {error}", file=sys.stderr)
        return 2
    options = Options(rate=args.rate, wrapper=not args.no_wrapper)
    print(f"Faults with real {router.version} ({router.binary}) as the log router, shipped docker/firelens files")
    results = []
    for name in args.scenario or list(SCENARIOS):
        print(f"==> {name}", file=sys.stderr, flush=True)
        results.append(
            run_scenario(
                name,
                router,
                options=options,
                progress=lambda s: print(s, file=sys.stderr, flush=True),
                log_dir=args.log_dir,
            )
        )
    print()
    print(f"real {router.version}, shipped config (docker/firelens/extra.conf), records matched by sequence number")
    print(table(results))
    print()
    for result in results:
        print(details(result))
    return 1 if any(r.problems() for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
