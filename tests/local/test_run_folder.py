"""A router run's folder: the router image's files linked unchanged, FireLens's config around them, and
the mounts that put each part where the image and FireLens do (no binary needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.run_folder import AWS_ADDRESS, read_run_config, router_environment, write_run_folder

SHIPPED = ROOT / "docker" / "firelens"
FIRELENS = FirelensContext(task_id="a" * 32)


def _mounts(script: str) -> dict[str, str]:
    """target -> source of every ``mount --bind`` in start.sh."""
    return {line.split()[3]: line.split()[2] for line in script.splitlines() if line.startswith("mount --bind ")}


def test_the_shipped_files_are_linked_not_copied_beside_firelens_config(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path, binary=Path("/bin/true"), router_dir=SHIPPED, firelens=FIRELENS, region="x")
    for name in ("extra.conf", "parsers_json.conf"):
        link = folder.etc / name
        assert link.is_symlink() and link.resolve() == (SHIPPED / name).resolve()
    config = read_run_config(folder.etc)
    assert [s.plugin for s in config.inputs][:3] == ["forward", "forward", "tcp"]  # FireLens's, then the shipped
    assert "rails-app.sql" in [config.output_name(s) for s in config.outputs]


def test_start_sh_binds_each_part_where_the_image_and_firelens_put_it(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path, binary=Path("/bin/true"), router_dir=SHIPPED, firelens=FIRELENS, region="x")
    mounts = _mounts(folder.script.read_text())
    assert mounts == {
        "/fluent-bit/etc": str(folder.etc),
        "/var/run": str(folder.socket_path.parent),
        "/etc/hosts": str(folder.root / "hosts"),
        "/etc/ssl/certs": str(folder.certificates.trust_dir),
        "/var/log/flb-storage": str(folder.storage),  # the shipped config's storage.path, the run's own
    }
    assert f"{AWS_ADDRESS} firehose.x.amazonaws.com logs.x.amazonaws.com" in (folder.root / "hosts").read_text()


def test_without_storage_path_nothing_is_bound_for_it(tmp_path: Path) -> None:
    router = tmp_path / "router"
    router.mkdir()
    (router / "extra.conf").write_text("[OUTPUT]\n    Name  null\n    Match *\n")
    folder = write_run_folder(
        tmp_path / "run", binary=Path("/bin/true"), router_dir=router, firelens=FIRELENS, region="x"
    )
    assert len(_mounts(folder.script.read_text())) == 4


def test_the_wrapper_runs_fluent_bit_as_the_images_cmd_does(tmp_path: Path) -> None:
    wrapper = SHIPPED / "drain-then-stop.sh"
    folder = write_run_folder(
        tmp_path, binary=Path("/bin/true"), router_dir=SHIPPED, firelens=FIRELENS, region="x", wrapper=wrapper
    )
    last = folder.script.read_text().splitlines()[-1]
    assert last == f"exec /bin/sh {wrapper.resolve()} {Path('/bin/true').resolve()} -c /fluent-bit/etc/fluent-bit.conf"


def test_fails_when_the_router_folder_lacks_its_config(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no extra.conf"):
        write_run_folder(tmp_path, binary=Path("/bin/true"), router_dir=tmp_path, firelens=FIRELENS, region="x")


def test_fails_when_the_router_folder_holds_a_fluent_bit_conf(tmp_path: Path) -> None:
    (tmp_path / "extra.conf").write_text("")
    (tmp_path / "fluent-bit.conf").write_text("")
    with pytest.raises(ValueError, match="the name FireLens mounts its generated config at"):
        write_run_folder(tmp_path / "run", binary=Path("/bin/true"), router_dir=tmp_path, firelens=FIRELENS, region="x")


def test_fails_when_the_socket_path_would_be_too_long(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 100)
    with pytest.raises(ValueError, match="107 characters a unix socket path may have"):
        write_run_folder(deep, binary=Path("/bin/true"), router_dir=SHIPPED, firelens=FIRELENS, region="x")


def test_the_router_sees_fake_credentials_and_the_init_images_values_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    env = router_environment(FIRELENS, "ap-northeast-1", {"FLB_DRAIN_MAX_SECONDS": "3"})
    assert "AWS_ENDPOINT_URL" not in env  # the outputs find "AWS" by its hostnames
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert (env["ECS_TASK_ID"], env["ECS_TASK_ARN"]) == (FIRELENS.task_id, FIRELENS.task_arn)
    assert env["FLB_DRAIN_MAX_SECONDS"] == "3"
    assert env["PATH"] == os.environ["PATH"]
