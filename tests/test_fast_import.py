"""The fast provider import changes nothing but the time it takes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, synth_main
from firelens_cdktf import _fast_import

pytestmark = pytest.mark.worker_seconds(75)


@pytest.fixture(scope="module")
def eager_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_main(tmp_path_factory.mktemp("eager"), {_fast_import.EAGER_ENV: "1"})


def _stack_files(outdir: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted((outdir / "stacks").glob("*/cdk.tf.json"))}


def test_fast_import_synthesizes_byte_identical_json(synthesized: Path, eager_out: Path) -> None:
    fast, eager = _stack_files(synthesized), _stack_files(eager_out)
    assert fast and fast == eager


def test_main_imports_only_the_provider_submodules_it_uses(tmp_path: Path) -> None:
    code = (
        "import runpy, sys; runpy.run_path('main.py', run_name='__main__'); "
        "print(sum(m.startswith('cdktf_cdktf_provider_aws.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CDKTF_OUTDIR": str(tmp_path)},
    ).stdout
    loaded = int(out.strip().splitlines()[-1])
    assert 0 < loaded < 100  # the eager import loads ~2,100


def test_lazy_package_imports_a_submodule_on_attribute_access() -> None:
    import cdktf_cdktf_provider_aws

    assert cdktf_cdktf_provider_aws.s3_bucket.S3Bucket.__name__ == "S3Bucket"


def test_lazy_package_raises_attribute_error_for_unknown_names() -> None:
    import cdktf_cdktf_provider_aws

    with pytest.raises(AttributeError, match="no_such_resource"):
        cdktf_cdktf_provider_aws.no_such_resource  # noqa: B018


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An importable package whose __init__ would fail if it ran."""
    pkg = tmp_path / "fake_provider_pkg"
    (pkg / "resource").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise RuntimeError('eager __init__ ran')\n")
    (pkg / "resource" / "__init__.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "fake_provider_pkg", raising=False)
    return "fake_provider_pkg"


def test_install_skips_the_package_init_and_loads_submodules(fake_package: str) -> None:
    assert _fast_import.use_fast_provider_imports((fake_package,)) == [fake_package]
    from fake_provider_pkg.resource import VALUE  # type: ignore[import-not-found]

    assert VALUE == 42
    sys.modules.pop(f"{fake_package}.resource")


def test_install_does_nothing_when_eager_imports_are_asked_for(
    fake_package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_fast_import.EAGER_ENV, "1")
    assert _fast_import.use_fast_provider_imports((fake_package,)) == []


def test_install_leaves_already_imported_packages_alone() -> None:
    assert _fast_import.use_fast_provider_imports(("json",)) == []


def test_importing_the_package_changes_no_import_machinery() -> None:
    # The fast import is an explicit call: a team that imports firelens_cdktf gets the normal import
    # of the provider packages unless it asks.
    code = "import sys, firelens_cdktf, firelens_cdktf.constructs; print('cdktf_cdktf_provider_aws' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
