"""``AppLogRouting(keep_metadata=...)``: the preview delivers what a real Fluent Bit 4.2.2 delivers, byte for byte.

The expected lines were written by a real ``fluent-bit`` running the
compiled config inside a FireLens-like config
(tests/fixtures/fluentbit/keep_metadata/record_with_fluent_bit.py says how
to record them again). They show, for each mode, what every output receives:

- off (the article's): a parsed record holds only the app's keys; a route's
  copy gets ``ecs_*`` back (FireLens's filter runs again on it) but not
  ``container_name``; a line that is not JSON keeps everything;
- on: every parsed record, copies included, holds ``container_id``,
  ``container_name``, ``source`` and ``ecs_*`` once each (a copy holds
  ``ecs_*`` twice, and the outputs write each key once), and not ``log``;
  an app key named ``source`` is shadowed by Docker's.
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest

from conftest import FIXTURES
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator

HERE = FIXTURES / "fluentbit" / "keep_metadata"


def _recorder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("record_with_fluent_bit", HERE / "record_with_fluent_bit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORDER = _recorder()


def _previewed(keep_metadata: bool) -> list[str]:
    compiled = RECORDER.routing(keep_metadata)
    firelens = FirelensContext()
    simulator = Simulator(compiled.config, compiled.parsers, firelens=firelens)
    delivered = [
        f'{{"output":{json.dumps(d.output)},"record":{d.json}}}'
        for line in RECORDER.lines()
        for d in simulator.run(firelens.tag(RECORDER.CONTAINER), firelens.wrap(RECORDER.CONTAINER, line)).deliveries
    ]
    return sorted(delivered)


@pytest.mark.parametrize("mode", sorted(RECORDER.MODES))
def test_the_preview_delivers_byte_for_byte_what_fluent_bit_delivers(mode: str) -> None:
    expected = (HERE / f"delivered_{mode}.jsonl").read_text().splitlines()
    assert _previewed(RECORDER.MODES[mode]) == expected


def _records(mode: str, output: str) -> list[dict[str, object]]:
    return [
        json.loads(line)["record"]
        for line in (HERE / f"delivered_{mode}.jsonl").read_text().splitlines()
        if json.loads(line)["output"] == output
    ]


METADATA = {"container_id", "container_name", "source", "ecs_cluster", "ecs_task_arn", "ecs_task_definition"}


def test_with_keep_metadata_every_record_and_copy_says_which_container_it_came_from() -> None:
    outputs = ("rails-app.default", "rails-app.sql", "rails-app.labelled")
    records = [r for output in outputs for r in _records("on", output)]
    parsed = [r for r in records if r.get("log") != "Puma starting in single mode..."]  # the one line not JSON
    assert (
        [sorted(METADATA - set(r)) for r in records],
        ["log" in r for r in parsed],
    ) == ([[]] * len(records), [False] * len(parsed))


def test_without_keep_metadata_copies_get_ecs_keys_back_but_not_the_container_name() -> None:
    [copy] = _records("off", "rails-app.sql")
    assert (sorted(METADATA & set(copy))) == ["ecs_cluster", "ecs_task_arn", "ecs_task_definition"]
