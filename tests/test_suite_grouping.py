"""How ``make test`` shares out its work: groups, their order, and values made once per run.

- The groups come from ``pytest_collection_modifyitems`` in ``conftest.py``;
  pytest-xdist reads them in its own hook of the same name, so ours must run
  first. When it ran second, every module's tests were spread over both
  workers and each worker made its own module emulator and shared deployment.
- xdist hands the groups out in conftest's order (longest first) only with
  ``--no-loadscope-reorder``; by default it sorts them by test count, which
  started the longest groups last.
- ``once_per_run`` makes a value (the synth, checkov's reports) once for all workers.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, SHARED_GROUP, once_per_run, work_order

MODULE = "tests/fluentbit/test_output_limits.py"


def test_a_modules_tests_run_on_one_worker_under_its_group() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup", "-v", MODULE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    ran = re.findall(r"^\[(gw\d)\] .*PASSED (\S+)", done.stdout, flags=re.MULTILINE)
    assert len(ran) > 5
    assert {worker for worker, _ in ran} == {ran[0][0]}  # one worker for the whole module
    assert all(nodeid.endswith(f"@{MODULE}") for _, nodeid in ran)


def test_groups_are_handed_out_in_conftests_order_not_by_test_count() -> None:
    # conftest.py orders these two pure modules by name, so test_config.py (few tests) first;
    # xdist's default would run test_output_limits.py (22 tests) first, as would the command line.
    small, large = "tests/app/test_config.py", MODULE
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "1", "-v", large, small],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    modules = [
        nodeid.split("::")[0] for nodeid in re.findall(r"^\[gw0\] .*PASSED (\S+)", done.stdout, flags=re.MULTILINE)
    ]
    assert modules and modules[0] == small and modules[-1] == large


def test_the_shared_deployment_goes_first_then_the_longest_then_emulator_then_pure() -> None:
    groups = {"tests/a_pure.py", "tests/b_emulator.py", "tests/c_short.py", "tests/d_long.py", SHARED_GROUP}
    order = work_order(
        groups,
        {"tests/b_emulator.py", "tests/d_long.py", SHARED_GROUP},
        {"tests/c_short.py": 10, "tests/d_long.py": 100},
    )
    assert order == [SHARED_GROUP, "tests/d_long.py", "tests/c_short.py", "tests/b_emulator.py", "tests/a_pure.py"]


def test_a_value_made_once_per_run_is_made_by_the_first_caller_and_read_back_by_the_others(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    name, made = f"test-once-{uuid.uuid4().hex}", []

    def make(path: Path) -> dict[str, str]:
        made.append(path)
        return {"where": str(path)}

    first, second = (once_per_run(tmp_path_factory, name, make) for _ in range(2))
    assert (first, second, made) == ({"where": str(made[0])}, first, [made[0]])


def test_a_failed_make_keeps_nothing_and_the_next_caller_tries_again(tmp_path_factory: pytest.TempPathFactory) -> None:
    name = f"test-once-{uuid.uuid4().hex}"

    def fail(_: Path) -> int:
        raise RuntimeError("synth failed")

    with pytest.raises(RuntimeError, match="synth failed"):
        once_per_run(tmp_path_factory, name, fail)
    assert once_per_run(tmp_path_factory, name, lambda _: 7) == 7
