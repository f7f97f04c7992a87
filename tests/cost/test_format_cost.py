"""GZIP JSON or Parquet: a month of one archive priced from one measured day, and the cheaper one named."""

from __future__ import annotations

import pytest

from firelens_cdktf.cost.estimate import FormatCost, FormatQueryScan, format_cost
from firelens_cdktf.cost.prices import FORMAT_CONVERSION, PRICES

PRICES_TOKYO = PRICES["ap-northeast-1"]
GB = 1024**3


def _cost(scans: list[FormatQueryScan], archive_gb: float, parquet_stored: int = 1_200) -> FormatCost:
    return format_cost(
        scans,
        raw_bytes=10_000,
        json_stored=1_000,
        parquet_stored=parquet_stored,
        archive_gb_per_month=archive_gb,
        prices=PRICES_TOKYO,
        conversion_usd_per_gb=FORMAT_CONVERSION["ap-northeast-1"].usd,
    )


def test_parquet_wins_when_many_queries_read_a_few_columns() -> None:
    # 300 saved queries a day, each reading a tenth of its GZIP JSON bytes: Athena's savings outgrow the conversion
    cost = _cost([FormatQueryScan("slowest", 1_000, 100)] * 300, archive_gb=3_000)
    assert cost.cheaper == "Parquet"
    json_athena = sum(line.cost for line in cost.json.lines if line.label.startswith("Athena"))
    parquet_athena = sum(line.cost for line in cost.parquet.lines if line.label.startswith("Athena"))
    assert parquet_athena < json_athena / 5
    conversion = next(line for line in cost.parquet.lines if "conversion" in line.label)
    assert conversion.cost == pytest.approx(3_000 * 0.018)


def test_with_a_few_queries_the_conversion_outweighs_what_they_save() -> None:
    # 3 queries a day over 100 GB: $4.50 of GZIP JSON scans against $54 of conversion
    cost = _cost([FormatQueryScan("slowest", 1_000, 100)] * 3, archive_gb=3_000)
    assert cost.cheaper == "GZIP JSON"
    assert cost.saving == pytest.approx(cost.parquet.total - cost.json.total)


def test_small_archives_keep_gzip_json_the_10_mb_minimum_makes_the_scans_cost_the_same() -> None:
    cost = _cost([FormatQueryScan("slowest", 1_000, 100)], archive_gb=0.5)
    assert cost.cheaper == "GZIP JSON"
    json_query = next(line for line in cost.json.lines if line.label.startswith("Athena"))
    parquet_query = next(line for line in cost.parquet.lines if line.label.startswith("Athena"))
    assert json_query.cost == parquet_query.cost  # both at Athena's 10 MB minimum per run


def test_the_saving_is_against_the_dearer_bill() -> None:
    cost = _cost([FormatQueryScan("q", 1_000, 100)], archive_gb=3_000)
    dearer = max(cost.json.total, cost.parquet.total)
    assert cost.saving_fraction == pytest.approx(cost.saving / dearer)


def test_nothing_measured_is_refused() -> None:
    with pytest.raises(ValueError, match="raw_bytes=0"):
        format_cost(
            [],
            raw_bytes=0,
            json_stored=0,
            parquet_stored=0,
            archive_gb_per_month=1,
            prices=PRICES_TOKYO,
            conversion_usd_per_gb=0.018,
        )
