"""How the fault scenarios count (pure: no binary, no emulator): the sequence number a line carries never
changes where the preview sends it, it is found again in what Fluent Bit stores, and expected against stored
makes delivered, lost, duplicated and unexpected."""

from __future__ import annotations

import doctest
import importlib
from collections import Counter
from pathlib import Path

import pytest

from firelens_cdktf.fluentbit.preview_io import load_for_preview
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator
from firelens_harness.faults import (
    CONTAINER,
    REGION,
    ROUTER_DIR,
    Count,
    Destination,
    Rig,
    ScenarioResult,
    burst_mix,
    load_sample,
    seqs_in,
    tag_line,
)
from firelens_harness.router_mode import RealRouter

FIRELENS = FirelensContext(region=REGION)


def _outputs(line: str) -> Counter[str]:
    config, parsers = load_for_preview(str(ROUTER_DIR / "extra.conf"))
    simulator = Simulator(config, parsers, firelens=FIRELENS)
    outcomes = [simulator.run(FIRELENS.tag(CONTAINER), r) for r in FIRELENS.wrap_line(CONTAINER, line, 1)]
    return Counter(d.output for outcome in outcomes for d in outcome.deliveries)


@pytest.mark.parametrize("line", load_sample())
def test_the_sequence_number_never_changes_where_a_sample_line_goes(line: str) -> None:
    assert _outputs(tag_line(line, 123456)) == _outputs(line)


@pytest.mark.parametrize(
    ("stored", "seqs"),
    [
        ('{"seq":42,"name":"ActiveRecord","ecs_cluster":"c"}', [42]),  # a JSON line, parsed
        ('{"log":"=> Booting Puma #seq=43","source":"stdout"}', [43]),  # a plain line, as Fluent Bit writes it
        ('{"log":"{\\"truncated\\": \\"line #seq=44","source":"stdout"}', [44]),  # broken JSON stays a string
        ('{"seq":45}\n{"seq":46}\n', [45, 46]),  # an aggregated Firehose record: a JSON record a line
    ],
)
def test_the_sequence_number_is_found_in_what_fluent_bit_stores(stored: str, seqs: list[int]) -> None:
    assert seqs_in(stored) == seqs


def test_the_burst_mix_loads_both_emitters() -> None:
    mix = burst_mix(load_sample())
    rig = Rig(RealRouter(Path("/nonexistent/fluent-bit"), "Fluent Bit v0"), Path("/nonexistent"))
    services = [sorted(d.service + " " + d.name for d in rig.routing.of(line)) for line in mix]
    assert services == [
        ["Firehose put-s3-sample-metrics-logs"],
        ["CloudWatch Logs /sample-metrics-fluentbit", "CloudWatch Logs /sample-metrics-fluentbit/analysis"],
        ["CloudWatch Logs /sample-metrics-fluentbit"],
    ]


def test_expected_against_stored_makes_delivered_lost_duplicated_and_unexpected(tmp_path: Path) -> None:
    rig = Rig(RealRouter(Path("/nonexistent/fluent-bit"), "Fluent Bit v0"), tmp_path)  # never entered: no processes
    lines = rig.lines(load_sample()[:1], 3)  # "=> Booting Puma": the default group only
    group = Destination("CloudWatch Logs", "/sample-metrics-fluentbit")
    assert [seqs_in(line) for line in lines] == [[1], [2], [3]]
    observed = rig.observed
    observed.events.add(group, '{"log":"=> Booting Puma #seq=1"}\n{"log":"=> Booting Puma #seq=1"}', stored=0.0)
    observed.events.add(group, '{"log":"=> Booting Puma #seq=2"}\n{"log":"=> Booting Puma #seq=9"}', stored=0.0)
    observed.events.add(group, '{"log":"no number"}', stored=0.0)

    counts = rig.counts(observed)

    assert counts[str(group)] == Count(expected=3, delivered=2, lost=1, duplicated=1, unexpected=2)
    assert all(count == Count() for where, count in counts.items() if where != str(group))


def test_a_result_names_each_problem() -> None:
    result = ScenarioResult(
        name="x",
        description="",
        lines=3,
        line_bytes=30,
        counts={"CloudWatch Logs /g": Count(3, 2, 1, 2, 1)},
        seconds=1.0,
        router="Fluent Bit v0",
        returncode=0,
        repeated_in_whole_calls=1,
    )
    assert result.problems() == [
        "1 of 3 records lost at CloudWatch Logs /g",
        "1 records at CloudWatch Logs /g the preview does not send there",
        "1 duplicates are not whole PutRecordBatch calls sent again",
    ]


@pytest.mark.parametrize("name", ["firelens_harness.faults", "benchmarks.router"])
def test_the_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("module", "command"), [("firelens_harness.faults", "faults"), ("benchmarks.router", "bench-router")]
)
def test_fails_when_no_fluent_bit_binary_is_there_in_one_line(
    module: str, command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLUENT_BIT", "/nonexistent/fluent-bit")

    assert importlib.import_module(module).main([]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"make {command}: ") and "no Fluent Bit binary at /nonexistent/fluent-bit" in err
    assert len(err.strip().splitlines()) == 1
