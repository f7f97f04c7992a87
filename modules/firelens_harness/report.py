"""The report ``make run`` prints: what is deployed, where this run's logs went, what the archive
table reads of it, and what routing saves.

Pure: :func:`render_report` turns a :class:`~firelens_harness.round_trip.RoundTrip`,
the deployed outputs and a :class:`~firelens_cdktf.cost.estimate.CostEstimate` into text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from firelens_cdktf.cost.estimate import (
    VOLUME_ENV,
    CostEstimate,
    FormatCost,
    FormatQueryScan,
    Scenario,
    format_cost,
)
from firelens_cdktf.cost.prices import FORMAT_CONVERSION, RegionPrices
from firelens_cdktf.routing.compiler import output_alias
from firelens_harness.round_trip import DeployedPipeline, RoundTrip
from firelens_local.delivery_check import S3, Placement, expected_records
from firelens_local.query import FormatComparison, render_result

EMULATOR_NOTE = (
    "The emulator's Firehose (moto, corrected by firelens_local._moto_firehose) stores objects as real "
    "Firehose does: the prefix evaluated at the UTC arrival time (year=/month=/day= partitions), Firehose's object "
    "names, {compression}. What still differs is buffering: the emulator writes every PutRecordBatch call at once, "
    "as its own object; real Firehose buffers ({buffer}) and writes one object per buffer."
)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def render_resources(pipeline: DeployedPipeline, result: RoundTrip, *, region: str, endpoint: str) -> list[str]:
    """The deployed resources, from the stack outputs and the streams' descriptions."""
    lines = [
        f"Resources deployed (stacks state + pipeline, region {region}, emulator {endpoint})",
        f"  ECS cluster {pipeline.cluster_name}, service {pipeline.service_name}, "
        f"task definition {pipeline.task_definition}",
        f"  CloudWatch log groups (routes): {', '.join(pipeline.route_log_groups)}",
        f"  CloudWatch log group (log router's own logs): {pipeline.router_log_group}",
    ]
    for stream, destination in sorted(result.destinations.items()):
        lines.append(
            f"  Firehose {stream} -> S3 {destination.bucket} ({destination.compression}, "
            f"prefix {destination.prefix}, buffer {destination.buffer_mib} MiB / {destination.buffer_seconds} s)"
        )
    for table, workgroup in zip(pipeline.archive_tables, pipeline.athena_workgroups, strict=False):
        lines.append(
            f"  Glue table {table} (partition projection), Athena workgroup {workgroup} with its saved queries"
        )
    lines.append(f"  ECR repositories: {', '.join(sorted(pipeline.repository_urls.values()))}")
    return lines


def render_routing(result: RoundTrip) -> list[str]:
    """The routing table: each route, what it takes, where it sends it, and how many copies it got this run."""
    received = Counter(copy.output for copy in result.copies)
    rows = [["output", "takes", "then", "sends to", "this run"]]
    for app in result.router.compiled.routing.apps:
        for route in app.routes:
            suffix = f" (stream per {route.tag_suffix_field})" if route.tag_suffix_field else ""
            rows.append(
                [
                    output_alias(app, route),
                    f"{route.field} =~ {route.pattern}",
                    "copies (original goes on)" if route.keep_original else "moves",
                    route.destination.label + suffix,
                    str(received[output_alias(app, route)]),
                ]
            )
        rows.append(
            [
                output_alias(app, None),
                f"everything else from {app.container}",
                "",
                app.default.label,
                str(received[output_alias(app, None)]),
            ]
        )
    return [
        f"Routing table ({result.router.config_path.name}, the file the log router image carries)",
        *_table(rows, right=(4,)),
    ]


def render_deliveries(result: RoundTrip, sample_width: int = 100) -> list[str]:
    """Per destination: records, bytes and a sample; the S3 keys written; the check."""
    buckets = {stream: d.bucket for stream, d in result.destinations.items()}
    by_place: dict[Placement, list[str]] = {}
    for where, body in expected_records(result.plan, buckets):
        by_place.setdefault(where, []).append(body)
    rows = [["destination", "records", "bytes"]]
    samples = []
    for where in sorted(by_place):
        bodies = by_place[where]
        size = sum(len(b.encode("utf-8")) + (1 if where.service == S3 else 0) for b in bodies)
        rows.append([str(where), str(len(bodies)), f"{size:,}"])
        samples.append(f"  sample from {where}: {_clip(bodies[0], sample_width)}")
    lines = [
        f"Delivered by {result.router_label} (task {result.run_id}"
        + (f", {result.calls} API calls)" if result.router_run is None else ")"),
        *_table(rows, right=(1, 2)),
        *samples,
        "S3 objects written by this run:",
    ]
    lines.extend(f"  s3://{o.bucket}/{o.key}  ({len(o.body):,} bytes)" for o in result.objects)
    if result.plan.discarded:
        lines.append(f"Copies the plugins would discard: {len(result.plan.discarded)}")
        lines.extend(f"  {copy.output}: {reason}" for copy, reason in result.plan.discarded)
    lines.append(f"Read-back check: {result.accounting.describe()}")
    return lines


def render_archive(result: RoundTrip) -> list[str]:
    """Per archive table: the schema check of this run's records and the slowest-statements query."""
    lines = [
        "Archive tables (Glue; records read as Athena's OpenX JSON SerDe reads them; queries run with DuckDB, "
        "all of them with 'make query')"
    ]
    for check in result.archive:
        lines.append(f"  {check.table} (workgroup {check.workgroup}, s3://{check.bucket}/)")
        lines.extend(
            f"    schema check: {line}" if index == 0 else f"    {line}"
            for index, line in enumerate(check.drift.describe())
        )
        slowest, loaded = check.slowest, check.queries.loaded if check.queries else None
        if slowest is None or loaded is None:
            lines.append("    no query ran: this run wrote no object into the table's partitions")
            continue
        lines.append(
            f"    day {loaded.day.isoformat()}, all of that day's partition "
            f"({loaded.objects} object(s), earlier runs of the day included):"
        )
        lines.extend("    " + line for line in render_result(slowest, width=70, limit=5))
        if check.formats is not None:
            lines.extend("    " + line for line in render_formats(check.formats))
    return lines


def render_formats(formats: FormatComparison) -> list[str]:
    """Each saved query's bytes over the same day in GZIP JSON (as delivered) and converted to Parquet."""
    lines = [
        f"the same day's records ({formats.raw_bytes:,} bytes) as GZIP JSON ({formats.json_stored:,} bytes stored) "
        f"and converted to Parquet as Firehose would ({formats.parquet_stored:,} bytes; "
        f"{formats.failed} document(s) it could not convert), each saved query's bytes read:"
    ]
    rows = [
        [
            scan.query,
            f"{scan.json_bytes:,}",
            f"{scan.parquet_bytes:,}",
            f"{scan.parquet_bytes / scan.json_bytes:.2f}" if scan.json_bytes else "-",
            "same rows" if scan.same_answer else "ROWS DIFFER",
        ]
        for scan in formats.scans
    ]
    return lines + ["  " + row for row in _table([["query", "GZIP JSON", "Parquet", "ratio", ""], *rows], (1, 2, 3))]


def render_format_cost(cost: FormatCost, table: str, archive_gb: float) -> list[str]:
    """The month of one archive in both formats, and which is cheaper."""
    return [
        f"Archive format for {table}, {archive_gb:,.2f} GB of records a month, at this run's measured sizes and "
        f"scans: {cost.cheaper} is cheaper by {_money(cost.saving)} a month ({cost.saving_fraction:.0%})",
        *_scenario(cost.json),
        *_scenario(cost.parquet, cost.json.total),
    ]


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _unit_price(value: float) -> str:
    """A unit price with the digits it has: ``$0.76``, ``$0.036``, ``$0.0047``."""
    text = f"{value:.6f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"


def _scenario(scenario: Scenario, baseline: float | None = None) -> list[str]:
    head = f"  {scenario.name}: {_money(scenario.total)} a month"
    if baseline:
        saved = baseline - scenario.total
        head += f"  ({'saves' if saved >= 0 else 'costs'} {_money(abs(saved))}, {abs(saved) / baseline:.0%})"
    rows = [
        [line.label, f"{line.quantity:,.2f} {line.unit}", f"x {_unit_price(line.unit_price)}", _money(line.cost)]
        for line in scenario.lines
    ]
    return [head, *("  " + row for row in _table(rows, right=(1, 3)))]


def render_cost(estimate: CostEstimate, result: RoundTrip, prices: RegionPrices) -> list[str]:
    """The estimate: the observed mix, the scenarios, and which prices are not confirmed."""
    mix = result.traffic_mix()
    shares = [f"{s.share:.1%} to Firehose {s.delivery_stream}" for s in mix.firehose]
    shares += [f"{s.share:.1%} to CloudWatch Logs {s.log_group}" for s in mix.cloudwatch]
    base = estimate.all_standard.total
    lines = [
        f"Cost estimate: {estimate.volume_gb:,.0f} GB of app logs a month in {estimate.region} "
        f"(set {VOLUME_ENV}; prices in firelens_cdktf.cost.prices, checked {estimate.prices_checked})",
        f"  observed mix, by bytes of app logs: {'; '.join(shares)}",
        *_scenario(estimate.all_standard),
        *_scenario(estimate.all_infrequent_access, base),
        *_scenario(estimate.routed, base),
        *_scenario(estimate.routed_aggregation_flipped, base),
    ]
    unconfirmed = [f"{name} {_unit_price(p.usd)}" for name, p in prices.all() if not p.confirmed]
    if unconfirmed:
        lines.append(
            f"  not confirmed by a source (see modules/firelens_cdktf/cost/prices.py): {', '.join(unconfirmed)}"
        )
    lines.append(
        "  model: one month of data stored for one month; each saved Athena query once a day; no free tier, "
        "Logs Insights or data transfer (modules/firelens_cdktf/cost/estimate.py)"
    )
    return lines


def render_report(
    result: RoundTrip,
    pipeline: DeployedPipeline,
    *,
    region: str,
    endpoint: str,
    estimate: CostEstimate | None,
    prices: RegionPrices | None,
    cost_note: str = "",
) -> str:
    """The whole report, as printed by ``make run``."""
    sections = [
        render_resources(pipeline, result, region=region, endpoint=endpoint),
        render_routing(result),
        render_deliveries(result),
    ]
    if result.archive:
        sections.append(render_archive(result))
    destination = next(iter(result.destinations.values()), None)
    if destination is not None:
        sections.append(
            [
                "Note: "
                + EMULATOR_NOTE.format(
                    buffer=f"{destination.buffer_mib} MiB or {destination.buffer_seconds} s",
                    compression=destination.compression,
                )
            ]
        )
    if estimate is not None and prices is not None:
        sections.append(render_cost(estimate, result, prices))
        archive_gb = estimate.volume_gb * sum(share.share for share in result.traffic_mix().firehose)
        for check in result.archive:
            if check.formats is None or check.formats.raw_bytes <= 0:
                continue
            formats = check.formats
            cost = format_cost(
                [FormatQueryScan(s.query, s.json_bytes, s.parquet_bytes) for s in formats.scans],
                raw_bytes=formats.raw_bytes,
                json_stored=formats.json_stored,
                parquet_stored=formats.parquet_stored,
                archive_gb_per_month=archive_gb / max(len(result.archive), 1),
                prices=prices,
                conversion_usd_per_gb=FORMAT_CONVERSION.get(prices.region, FORMAT_CONVERSION["us-east-1"]).usd,
            )
            sections.append(render_format_cost(cost, check.table, archive_gb / max(len(result.archive), 1)))
    elif cost_note:
        sections.append([f"Cost estimate: {cost_note}"])
    return "\n\n".join("\n".join(section) for section in sections) + "\n"
