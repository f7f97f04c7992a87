"""The cost model, checked against figures computed by hand.

The hand example: 1,000 GB of app logs a month in ap-northeast-1, 70% of the
bytes SQL logs routed to Firehose (aggregated), 30% to one CloudWatch log
group; 500-byte records that compress to a tenth; Firehose buffering 5 MiB /
300 s; Flush 1 s; one task. The example's own prices (:data:`HAND`, Tokyo's
when it was worked out): CloudWatch Logs $0.76/GB Standard, $0.38/GB
Infrequent Access, $0.033/GB-month stored; Firehose $0.036/GB; S3
$0.025/GB-month, $0.0047 per 1,000 PUTs; Athena $5 per TB scanned. The
project's price table is checked separately, against what its sources state.
"""

from __future__ import annotations

import pytest

from firelens_cdktf.cost.estimate import (
    AthenaScan,
    AthenaShare,
    CloudWatchShare,
    FirehoseShare,
    ObservedStream,
    TrafficMix,
    aggregate_bytes,
    aggregated_billing_ratio,
    athena_billed_bytes,
    athena_tb_per_month,
    estimate,
    firehose_billed_bytes,
    observe_mix,
    s3_objects_per_month,
)
from firelens_cdktf.cost.prices import PRICES, Price, RegionPrices, prices_for

HAND = RegionPrices(
    region="ap-northeast-1",
    cloudwatch_standard_ingest=Price(0.76, "GB ingested", "the hand example"),
    cloudwatch_ia_ingest=Price(0.38, "GB ingested", "the hand example"),
    cloudwatch_storage=Price(0.033, "GB-month archived", "the hand example"),
    firehose_ingest=Price(0.036, "GB ingested", "the hand example"),
    s3_storage=Price(0.025, "GB-month", "the hand example"),
    s3_put_per_1000=Price(0.0047, "1,000 PUT requests", "the hand example"),
    athena_per_tb=Price(5.0, "TB scanned", "the hand example"),
)
MIX = TrafficMix(
    baseline_avg_event_bytes=500,
    baseline_compression_ratio=0.1,
    cloudwatch=(CloudWatchShare("/app", share=0.3, avg_event_bytes=500, compression_ratio=0.1),),
    firehose=(
        FirehoseShare(
            "sql",
            share=0.7,
            unaggregated_billing_ratio=5120 / 500,
            compression_ratio=0.1,
            simple_aggregation=True,
            buffer_mib=5,
            buffer_seconds=300,
        ),
    ),
    flush_seconds=1,
    tasks=1,
)
ESTIMATE = estimate(MIX, 1000, HAND)


def _costs(lines: tuple) -> list[float]:  # type: ignore[type-arg]
    return [round(line.cost, 6) for line in lines]


def test_infrequent_access_ingestion_is_half_of_standard_in_every_region() -> None:
    # AWS's CloudWatch pricing page: Infrequent Access ingestion is 50% lower per GB than Standard.
    for prices in PRICES.values():
        assert prices.cloudwatch_ia_ingest.usd == pytest.approx(prices.cloudwatch_standard_ingest.usd / 2), (
            prices.region
        )


def test_every_price_is_in_the_unit_its_model_line_bills() -> None:
    # The model multiplies GB by per-GB prices and requests by per-1,000 prices: a unit mix-up is a 1,000x error.
    for prices in PRICES.values():
        units = {name: price.unit.split(" (")[0] for name, price in prices.all()}
        assert units == {
            "cloudwatch_standard_ingest": "GB ingested",
            "cloudwatch_ia_ingest": "GB ingested",
            "cloudwatch_storage": "GB-month archived",
            "firehose_ingest": "GB ingested",
            "s3_storage": "GB-month",
            "s3_put_per_1000": "1,000 PUT requests",
            "athena_per_tb": "TB scanned",
        }, prices.region


def test_all_logs_to_cloudwatch_standard_costs_ingestion_plus_a_month_of_compressed_storage() -> None:
    # ingestion 1,000 GB x $0.76 = $760; stored 0.1 x 1,000 x (1 + 26/500) = 105.2 GB x $0.033 = $3.4716
    assert _costs(ESTIMATE.all_standard.lines) == [760.0, 3.4716]
    assert ESTIMATE.all_standard.total == pytest.approx(763.4716)


def test_infrequent_access_halves_the_ingestion_line() -> None:
    # 1,000 GB x $0.38 = $380, same storage
    assert ESTIMATE.all_infrequent_access.total == pytest.approx(383.4716)


def test_routing_70_percent_sql_to_firehose_costs_what_the_hand_computation_says() -> None:
    # CloudWatch: 300 GB x $0.76 = $228; 0.1 x 300 x 1.052 = 31.56 GB x $0.033 = $1.04148.
    # Firehose: 700 GB a month over 730 h x 3,600 one-second flushes = 286,004.29 bytes per aggregate,
    #   rounded up to 56 x 5,120 = 286,720 bytes: 2,628,000 x 286,720 / 2**30 = 701.7517 GB x $0.036 = $25.26306.
    # S3: 70 GB x $0.025 = $1.75; 700 GB / 5 MiB = 143,360 objects (> 8,760 intervals) = 143.36 x $0.0047 = $0.673792.
    assert _costs(ESTIMATE.routed.lines) == [228.0, 1.04148, 25.263062, 1.75, 0.673792]
    assert ESTIMATE.routed.total == pytest.approx(256.728334, abs=1e-6)


def test_routing_saves_against_all_standard() -> None:
    assert ESTIMATE.saving == pytest.approx(763.4716 - 256.728334, abs=1e-6)
    assert ESTIMATE.saving_fraction == pytest.approx(0.6637, abs=1e-4)


def test_without_aggregation_every_500_byte_line_is_billed_as_5_kb() -> None:
    # 700 GB x 5,120 / 500 = 7,168 GB billed x $0.036 = $258.048
    firehose_line = ESTIMATE.routed_aggregation_flipped.lines[2]
    assert firehose_line.quantity == pytest.approx(7168)
    assert round(firehose_line.cost, 6) == 258.048
    assert ESTIMATE.routed_aggregation_flipped.total == pytest.approx(489.513272, abs=1e-6)


def test_firehose_rounds_each_record_up_to_5_kb() -> None:
    # AWS's examples: a 3 KB record is billed as 5 KB, a 12 KB record as 15 KB.
    assert firehose_billed_bytes([3 * 1024, 12 * 1024]) == 5 * 1024 + 15 * 1024


def test_aggregates_stop_at_1000_kib_where_rounding_costs_nothing() -> None:
    huge = 10**15  # bytes a month: every flush fills the 1,000 KiB record
    assert aggregate_bytes(huge, flush_seconds=1, tasks=1) == 1_024_000
    assert aggregated_billing_ratio(huge, flush_seconds=1, tasks=1) == 1.0  # 1,024,000 = 200 x 5,120


def test_more_tasks_make_smaller_aggregates() -> None:
    assert aggregate_bytes(2_628_000 * 10_000, flush_seconds=1, tasks=4) == 2_500


def test_s3_gets_at_least_one_object_per_buffer_interval() -> None:
    assert s3_objects_per_month(1_000, buffer_mib=5, buffer_seconds=300) == 730 * 12


def test_observed_mix_shares_are_bytes_per_byte_of_app_logs() -> None:
    record = b"x" * 99 + b"\n"
    mix = observe_mix(
        [b"y" * 100] * 10,
        [ObservedStream("/app", (b"z" * 100,) * 3)],
        [ObservedStream("sql", (record,) * 7, simple_aggregation=True)],
    )
    assert [s.share for s in mix.cloudwatch] + [s.share for s in mix.firehose] == [0.3, 0.7]
    assert mix.firehose[0].unaggregated_billing_ratio == 51.2  # 100-byte lines billed as 5,120
    assert mix.baseline_avg_event_bytes == 100


def test_a_saved_query_once_a_day_is_billed_its_days_bytes_rounded_to_the_mb() -> None:
    # 700 GB a month over 730/24 = 30.4167 days = 23.0137 GB a day; a scan ratio of 0.1 reads 2,356.60 MB,
    # billed 2,357 MB; 30.4167 runs x 2,357 MB / 2**20 MB per TB = 0.068371 TB x $5 = $0.341854.
    mix = TrafficMix(**{**MIX.__dict__, "athena": (AthenaShare("sql", "slowest", scan_ratio=0.1),)})
    athena = estimate(mix, 1000, HAND).routed.lines[-1]
    assert (athena.label, athena.unit, athena.unit_price) == (
        "Athena slowest: once a day over that day (10 MB minimum)",
        "TB scanned",
        5.0,
    )
    assert athena.quantity == pytest.approx(0.0683709, abs=1e-7)
    assert round(athena.cost, 6) == 0.341854
    assert estimate(mix, 1000, HAND).routed.total == pytest.approx(256.728334 + 0.341854, abs=1e-6)


def test_a_small_query_is_billed_athenas_10_mb_minimum() -> None:
    assert athena_billed_bytes(1) == athena_billed_bytes(10 * 2**20) == 10 * 2**20
    assert athena_billed_bytes(10 * 2**20 + 1) == 11 * 2**20
    # 1 GB a month: 2.36 MB scanned a day, billed 10 MB: 30.4167 x 10 MB = 0.00029 TB a month.
    assert athena_tb_per_month(AthenaShare("sql", "q", 0.1), 0.7 * 2**30) == pytest.approx(
        30.4167 * 10 / 2**20, rel=1e-4
    )


def test_observed_scans_become_scan_ratios_and_empty_reads_are_left_out() -> None:
    mix = observe_mix(
        [b"y" * 100],
        [],
        [ObservedStream("sql", (b"x\n",))],
        athena=[AthenaScan("sql", "slowest", 250, 1000), AthenaScan("sql", "empty", 0, 0)],
    )
    assert mix.athena == (AthenaShare("sql", "slowest", 0.25),)


def test_fails_when_the_volume_is_negative() -> None:
    with pytest.raises(ValueError, match="volume_gb=-1 is negative"):
        estimate(MIX, -1, HAND)


def test_prices_cover_tokyo_and_us_east_1_with_a_source_for_each() -> None:
    assert {"ap-northeast-1", "us-east-1"} <= set(PRICES)
    for prices in PRICES.values():
        for name, price in prices.all():
            assert price.usd > 0 and price.source, f"{prices.region} {name}"
            assert price.confirmed or price.note, f"{prices.region} {name}: unconfirmed without saying why"


def test_fails_for_a_region_without_prices_naming_the_known_ones() -> None:
    with pytest.raises(KeyError, match="no prices for region 'eu-west-9'.*ap-northeast-1, us-east-1"):
        prices_for("eu-west-9")
