"""make bench-archive on a small day: both formats answer every saved query alike, Parquet's queries read less
than the GZIP objects, and the month is priced in both (the figures in the docs come from the full run)."""

from __future__ import annotations

import pytest

from benchmarks.archive_formats import aggregates, buffers, main, sql_records


def test_records_are_aggregated_as_fluent_bit_sends_them_and_buffered_as_firehose_delivers() -> None:
    datas = list(aggregates(sql_records(5_000)))
    assert all(len(d) <= 1_024_000 and d.endswith(b"\n\n") for d in datas)
    assert sum(d.count(b"\n") - 1 for d in datas) == 5_000
    groups = list(buffers(datas, 5 * 1024 * 1024))
    assert [d for g in groups for d in g] == datas


def test_a_small_run_agrees_in_both_formats_and_names_the_cheaper(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--records", "3000", "--archive-gb", "200"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("put_s3_sample_metrics_logs: ")]
    assert len(rows) == 3 and all(line.endswith("same") for line in rows)
    assert all(0 < float(line.split()[-2]) < 1 for line in rows)  # Parquet reads less than the GZIP objects
    assert "is cheaper by $" in out and "record format conversion" in out
