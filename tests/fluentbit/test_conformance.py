"""The preview against real Fluent Bit 4.2.2 on the fixture corpus: byte for byte what each output receives.

The recordings (tests/fixtures/fluentbit/recorded, RECORDED.md says how they
were made) let the pure tier hold the preview to Fluent Bit without a binary;
with one, the fluentbit tier records again and checks the recordings still
hold. See :mod:`firelens_harness.conformance`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firelens_harness.conformance import Case, corpus, load_recorded, preview, record

CASES = corpus()


def test_every_case_has_a_recording() -> None:
    assert all(load_recorded(case) for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_preview_predicts_what_real_fluent_bit_delivered_byte_for_byte(case: Case) -> None:
    assert preview(case) == load_recorded(case)


@pytest.mark.worker_seconds(60)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_real_fluent_bit_still_delivers_what_was_recorded(case: Case, fluent_bit_binary: Path) -> None:
    assert record(fluent_bit_binary, case) == load_recorded(case)
