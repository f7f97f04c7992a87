"""``preview --summary``: per-output totals of a preview, and the monthly cost of the routes."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping

from firelens_cdktf import limits
from firelens_cdktf.cost.estimate import VOLUME_ENV, CloudWatchShare, FirehoseShare, TrafficMix, estimate
from firelens_cdktf.cost.prices import CHECKED, PRICES, RegionPrices, prices_file_example
from firelens_cdktf.errors import OptionError, PreviewInputError
from firelens_cdktf.fluentbit.config import FluentBitConfig
from firelens_cdktf.fluentbit.preview_input import InputCounts
from firelens_cdktf.fluentbit.preview_summary import PreviewSummary
from firelens_cdktf.limits import LogClass


class CostReport:
    """``preview --summary``: per-output totals, then the cost model of ``make run``'s report on them.

    The mix is built with the arithmetic of ``observe_mix`` (:mod:`firelens_cdktf.cost.estimate`)
    from streamed totals instead of every payload, so memory stays flat; the
    prices, the scenarios and their lines are ``estimate``'s. What each output
    keeps of a record is what its plugin sends (:mod:`firelens_cdktf.fluentbit.output_limits`, each
    copy's fate): CloudWatch drops ``{}`` and records too large for its buffer
    and cuts messages at 1,000,000 escaped bytes; Firehose drops ``{}`` and
    records that reach 1,000 KiB, and stores each line with its newline.
    """

    def __init__(
        self,
        config: FluentBitConfig,
        *,
        volume_gb: float | None,
        region: str | None,
        prices: RegionPrices | None = None,
        prices_file: str | None = None,
        counts: InputCounts | None = None,
        log_classes: Mapping[str, LogClass] | None = None,
    ) -> None:
        self._config = config
        self._log_classes = dict(log_classes or {})
        self._counts = counts
        self._kinds: dict[str, tuple[str, str]] = {}
        for section in config.outputs:
            name = config.output_name(section)
            if section.plugin in ("cloudwatch_logs", "cloudwatch") and section.get("log_group_name"):
                self._kinds[name] = ("cloudwatch", section.get("log_group_name") or "")
            elif section.plugin in ("kinesis_firehose", "firehose") and section.get("delivery_stream"):
                self._kinds[name] = ("firehose", section.get("delivery_stream") or "")
        self._aggregated = {
            config.output_name(s)
            for s in config.outputs
            if (s.get("simple_aggregation") or "").lower() in ("true", "on", "yes")
        }
        if prices is not None and region is not None and region != prices.region:
            raise OptionError(
                "firelens-cdktf preview",
                "--region",
                region,
                f"the region of the prices file {prices_file or ''}: {prices.region}",
                f"leave --region out, or pass a prices file for {region}",
            )
        self._prices = prices
        self._prices_file = prices_file
        self._region = (
            (prices.region if prices is not None else None)
            or region
            or next((s.get("region") for s in config.outputs if s.get("region")), None)
            or "ap-northeast-1"
        )
        if volume_gb is not None:
            text, where, fix = str(volume_gb), "--gb-per-month", "give e.g. --gb-per-month 500"
        else:
            text = os.environ.get(VOLUME_ENV, "1000")
            where = f"${VOLUME_ENV}"
            fix = f"set {VOLUME_ENV} to the GB of app logs a month, e.g. 500, or pass --gb-per-month 500"
        try:
            self._volume = float(text)
        except ValueError:
            self._volume = -1.0
        if not (0 < self._volume < float("inf")):
            raise PreviewInputError(where, f"{text!r} is not a positive, finite number of GB of app logs a month", fix)
        self.summary = PreviewSummary(
            [config.output_name(s) for s in config.outputs],
            payload=self._payload,
            billing_increment=limits.FIREHOSE_BILLING_INCREMENT_BYTES,
        )

    def _payload(self, output: str, body: str, size: int) -> int | None:
        """Bytes the destination keeps of a copy the plugin sends whole (fates are counted by the summary)."""
        kind = self._kinds.get(output, ("other", ""))[0]
        return size + 1 if kind == "firehose" else size

    def render(self) -> str:
        """The totals, then the estimate (or why there is none)."""
        summary = self.summary
        width = max([len("output"), *(len(n) for n in summary.outputs)])
        read = self._counts.describe() if self._counts is not None else f"{summary.records:,} record(s) read"
        lines = [
            f"{read}; {summary.baseline_bytes:,} bytes of app records (each once, as delivered with no routing)",
            f"{'output'.ljust(width)}  {'records':>12}  {'bytes':>16}",
        ]
        for name, traffic in summary.outputs.items():
            lines.append(f"{name.ljust(width)}  {traffic.records:>12,}  {traffic.bytes:>16,}")
        held = f", {summary.held:,} held in multiline buffers" if summary.held else ""
        limits = (
            f", {summary.discarded:,} copies discarded and {summary.truncated:,} truncated by their output's "
            "size limits"
            if summary.discarded or summary.truncated
            else ""
        )
        lines.append(
            f"{summary.nowhere:,} delivered nowhere{held}, {summary.dropped:,} record(s) or copies dropped "
            f"(no output matches), {summary.unknown:,} not fully predicted{limits}"
        )
        lines.append("")
        lines.extend(self._cost())
        return "\n".join(lines) + "\n"

    def _prices_source(self, checked: str) -> str:
        if self._prices is not None:
            return f"{self._prices_file or 'your prices file'}, yours"
        return f"firelens_cdktf.cost.prices, checked {checked}"

    def _no_prices(self) -> str:
        """Why there is no estimate for the region, and the file that would give one."""
        close = difflib.get_close_matches(self._region, list(PRICES), n=1)
        guess = f"did you mean --region {close[0]}? Or " if close else ""
        return (
            f"Cost estimate: no built-in prices for region {self._region!r} (built in, checked {CHECKED}: "
            f"{', '.join(sorted(PRICES))}). Fix: {guess}pass --prices FILE, a JSON (or *.toml) file of that "
            f"region's list prices in USD, e.g. {prices_file_example(self._region)} (us-east-1's figures, "
            "for the shape)"
        )

    def _cost(self) -> list[str]:
        summary = self.summary
        total = summary.baseline_bytes
        if not total:
            return ["Cost estimate: no record was delivered, so there is no mix to scale."]
        prices = self._prices or PRICES.get(self._region)
        if prices is None:
            return [self._no_prices()]
        ratio = summary.compression_ratio()
        groups: dict[tuple[str, str], list[int]] = {}
        aggregated: dict[str, bool] = {}
        unpriced = []
        for name, traffic in summary.outputs.items():
            kind, target = self._kinds.get(name, ("other", name))
            if kind == "other":
                if traffic.records:
                    unpriced.append(name)
                continue
            counts = groups.setdefault((kind, target), [0, 0, 0])
            counts[0] += traffic.payloads
            counts[1] += traffic.payload_bytes
            counts[2] += traffic.billed_bytes
            aggregated[target] = aggregated.get(target, False) or name in self._aggregated
        mix = TrafficMix(
            baseline_avg_event_bytes=total / summary.baseline_records,
            baseline_compression_ratio=ratio,
            cloudwatch=tuple(
                CloudWatchShare(
                    target,
                    size / total,
                    size / max(count, 1),
                    ratio,
                    self._log_classes.get(target) == LogClass.INFREQUENT_ACCESS,
                )
                for (kind, target), (count, size, _) in groups.items()
                if kind == "cloudwatch"
            ),
            firehose=tuple(
                FirehoseShare(target, size / total, billed / max(size, 1), ratio, aggregated[target])
                for (kind, target), (_, size, billed) in groups.items()
                if kind == "firehose"
            ),
            flush_seconds=float(self._config.service_setting("Flush") or "1"),
        )
        result = estimate(mix, self._volume, prices)
        shares = [f"{s.share:.1%} to Firehose {s.delivery_stream}" for s in mix.firehose]
        shares += [
            f"{s.share:.1%} to CloudWatch Logs {s.log_group}" + (" (Infrequent Access)" if s.infrequent_access else "")
            for s in mix.cloudwatch
        ]
        lines = [
            f"Cost estimate: {self._volume:,.0f} GB of app logs a month in {prices.region}, scaled from these "
            f"lines (model: firelens_cdktf.cost.estimate; prices: {self._prices_source(result.prices_checked)})",
            f"  mix, by bytes of app logs: {'; '.join(shares) or 'nothing priced'}",
            f"  compression (gzip level 6) of the records: {ratio:.3f}",
        ]
        if mix.firehose:
            lines.append(
                "  assumed: Firehose streams store GZIP objects with 5 MiB / 300 s buffers, as this project "
                "deploys them"
            )
        if unpriced:
            lines.append(f"  not priced (neither cloudwatch_logs nor kinesis_firehose): {', '.join(unpriced)}")
        base = result.all_standard.total
        for scenario, baseline in (
            (result.all_standard, None),
            (result.all_infrequent_access, base),
            (result.routed, base),
            (result.routed_aggregation_flipped, base),
        ):
            head = f"  {scenario.name}: ${scenario.total:,.2f} a month"
            if baseline:
                saved = baseline - scenario.total
                head += f"  ({'saves' if saved >= 0 else 'costs'} ${abs(saved):,.2f}, {abs(saved) / baseline:.0%})"
            lines.append(head)
            lines.extend(
                f"    {line.label}: {line.quantity:,.2f} {line.unit} x ${line.unit_price:g} = ${line.cost:,.2f}"
                for line in scenario.lines
            )
        return lines
