"""The archive table as plain values: partitions, projection, Hive types, names (no synth)."""

from __future__ import annotations

import re

import pytest

from firelens_cdktf.archive.schema import (
    glue_name,
    parse_hive_type,
    partition_template,
    projection_parameters,
)
from firelens_cdktf.constructs.log_archive import HIVE_PREFIX


def test_partition_template_follows_the_firehose_prefix_key_for_key() -> None:
    assert partition_template(HIVE_PREFIX) == "year=${year}/month=${month}/day=${day}/"
    assert (
        partition_template("logs/y=!{timestamp:yyyy}/m=!{timestamp:MM}/d=!{timestamp:dd}/")
        == "logs/y=${year}/m=${month}/d=${day}/"
    )


@pytest.mark.parametrize(
    "prefix, reason",
    [
        ("year=!{timestamp:yyyy}/month=!{timestamp:MM}/", "!{timestamp:dd} exactly once"),
        ("day=!{timestamp:dd}/month=!{timestamp:MM}/year=!{timestamp:yyyy}/", "in that order"),
        ("year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/!{firehose:random-string}/", "no other"),
    ],
)
def test_fails_when_the_prefix_cannot_become_year_month_day_partitions(prefix: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        partition_template(prefix)


def test_projection_is_integer_years_from_the_first_and_two_digit_months_and_days() -> None:
    parameters = projection_parameters("s3://b/year=${year}/month=${month}/day=${day}/", 2026, 2125)
    assert parameters == {
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": "2026,2125",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "storage.location.template": "s3://b/year=${year}/month=${month}/day=${day}/",
    }


@pytest.mark.parametrize("text", ["array<string>", "struct<a:string", "string string", "decimal(10,2)"])
def test_fails_on_a_hive_type_the_table_does_not_use(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_hive_type(text)


def test_glue_names_are_lower_case_letters_digits_and_underscores() -> None:
    assert glue_name("Put-S3.Sample_Logs") == "put_s3_sample_logs"
