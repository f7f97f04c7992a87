"""``firelens-local`` (firelens_local.cli): the emulator, its environment and Terraform's mirror for a team's
own app. The whole path runs in tests/examples/test_payments_example.py from the wheel; these pin each piece."""

from __future__ import annotations

from pathlib import Path

import pytest

from firelens_local import cli
from firelens_local.emulator import Emulator, free_port


def test_env_without_an_emulator_says_how_to_start_one(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()

    assert cli.main(["env", "--port", str(port)]) == 1

    err = capsys.readouterr().err
    assert err.strip() == (
        f"firelens-local env: no emulator answers on http://127.0.0.1:{port}; start one first: "
        f"firelens-local emulator start --port {port}"
    )


def test_terraformrc_uses_the_mirror_it_finds_and_says_what_to_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0").mkdir(parents=True)
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(mirror))

    assert cli.main(["terraformrc", str(tmp_path / "rc" / ".terraformrc")]) == 0

    text = (tmp_path / "rc" / ".terraformrc").read_text()
    assert f'path    = "{mirror}"' in text and '"registry.terraform.io/hashicorp/aws"' in text
    assert capsys.readouterr().out.strip().endswith(f"export TF_CLI_CONFIG_FILE={tmp_path / 'rc' / '.terraformrc'}")


def test_a_bad_subcommand_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["emulator", "restart"])
    assert exit_.value.code == 2
    assert "invalid choice: 'restart'" in capsys.readouterr().err


@pytest.mark.emulator
def test_env_points_the_sdks_at_a_running_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    with Emulator() as emulator:
        assert cli.main(["env", "--port", str(emulator.port), "--region", "eu-west-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{emulator.port}" in lines
    assert "export AWS_REGION=eu-west-1" in lines
    assert all(line.startswith("export AWS_") for line in lines)
