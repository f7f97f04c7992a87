"""A type checker sees the public API's real classes: a consumer's misspelled keyword fails `mypy --strict`.

The top level is lazy at run time (PEP 562) and typed for checkers through
``TYPE_CHECKING`` imports; without them every name would be ``Any`` and the
snippet below would pass. The provider bindings are skipped (their types are
not what a consumer's call is checked against), which keeps this at ~15 s cold.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """[mypy]
strict = True
mypy_path = {modules}
[mypy-cdktf_cdktf_provider_aws.*,cdktf_cdktf_provider_docker.*]
follow_imports = skip
"""
GOOD = """from firelens_cdktf import AppLogRouting, CloudWatchLogs, ContainerImageRef, LogRouter, LogRouting
from firelens_cdktf import compile_routing

IMAGE = ContainerImageRef.from_registry("public.ecr.aws/aws-observability/aws-for-fluent-bit:init-3.2.1")
router = LogRouter(image=IMAGE)
compiled = compile_routing(LogRouting(region="eu-west-1", apps=(AppLogRouting("web", default=CloudWatchLogs("/web")),)))
files: dict[str, str] = compiled.files
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mypy.ini").write_text(CONFIG.format(modules=ROOT / "modules"))
    (tmp_path / "app.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(tmp_path / ".cache"), "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.worker_seconds(15)
def test_a_consumer_snippet_type_checks_and_a_misspelled_keyword_does_not(tmp_path: Path) -> None:
    good = _mypy(tmp_path, GOOD)
    assert good.returncode == 0, good.stdout
    bad = _mypy(tmp_path, GOOD.replace("LogRouter(image=", "LogRouter(imagee="))
    assert bad.returncode == 1
    assert 'Unexpected keyword argument "imagee" for "LogRouter"; did you mean "image"?' in bad.stdout
