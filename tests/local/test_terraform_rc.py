"""The project's Terraform CLI config uses a provider mirror when one exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from firelens_local import terraform_rc as _terraform_rc


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    (tmp_path / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0").mkdir(parents=True)
    return tmp_path


def test_mirror_serves_its_providers_and_the_registry_the_rest(mirror: Path) -> None:
    text = _terraform_rc.render(mirror)
    assert f'path    = "{mirror}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text


def test_without_a_mirror_the_config_leaves_the_registry_in_charge() -> None:
    assert "provider_installation" not in _terraform_rc.render(None)


def test_find_mirror_honours_the_override_variable(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(mirror))
    assert _terraform_rc.find_mirror(()) == mirror


def test_find_mirror_ignores_empty_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)
    assert _terraform_rc.find_mirror((str(tmp_path),)) is None


def test_main_rewrites_the_file_only_when_it_changes(
    tmp_path: Path, mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(mirror))
    out = tmp_path / "rc" / "cli.tfrc"
    _terraform_rc.main([str(out)])
    first = out.stat().st_mtime_ns
    _terraform_rc.main([str(out)])
    assert out.stat().st_mtime_ns == first and "filesystem_mirror" in out.read_text()
