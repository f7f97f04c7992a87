"""``make test``'s workers keep a module's tests together, so its emulator and deployment are made once.

The groups come from ``pytest_collection_modifyitems`` in ``conftest.py``;
pytest-xdist reads them in its own hook of the same name, so ours must run
first. When it ran second, every module's tests were spread over both
workers and each worker made its own module emulator and shared deployment.
This runs one small module on two workers, as the pure tier does, and reads
where each test ran.
"""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

MODULE = "tests/routing/test_output_limits.py"


def test_a_modules_tests_run_on_one_worker_under_its_group() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup",
                           "-v", MODULE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    ran = re.findall(r"^\[(gw\d)\] .*PASSED (\S+)", done.stdout, flags=re.MULTILINE)
    assert len(ran) > 5
    assert {worker for worker, _ in ran} == {ran[0][0]}  # one worker for the whole module
    assert all(nodeid.endswith(f"@{MODULE}") for _, nodeid in ran)
