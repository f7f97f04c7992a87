"""A router image's Fluent Bit made runnable here (firelens_local.router_image), as the GitHub job does with
the image it builds from docker/firelens: what is taken from the exported filesystem, what is refused, and (in
the ``fluentbit`` tier) that the launcher runs as the log router, found and measured as a plain binary is.

The image tars here are the tests' own: a shell script or the real binary at /fluent-bit/bin/fluent-bit, with
libraries as an image lays them out (absolute symlinks included).
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest

from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.emulator import Emulator
from firelens_local.fluent_bit import FluentBitRun
from firelens_local.forward import ForwardClient
from firelens_local.router_image import main, unpack

FAKE_BINARY = b"#!/bin/sh\necho 'Fluent Bit v4.2.2'\necho \"LD_LIBRARY_PATH=$LD_LIBRARY_PATH\"\n"


def _add(archive: tarfile.TarFile, name: str, data: bytes = b"", *, link: str | None = None, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
    else:
        info.size, info.mode = len(data), mode
    archive.addfile(info, io.BytesIO(data) if link is None else None)


def _image_tar(path: Path, *, binary: bytes | None = FAKE_BINARY, extra: tuple[tuple[str, str], ...] = ()) -> Path:
    with tarfile.open(path, "w") as archive:
        if binary is not None:
            _add(archive, "fluent-bit/bin/fluent-bit", binary, mode=0o755)
        _add(archive, "usr/lib64/libssl.so.3.0.8", b"ssl")
        _add(archive, "usr/lib64/libssl.so.3", link="/usr/lib64/libssl.so.3.0.8")  # absolute, as images have
        _add(archive, "usr/lib64/libyaml-0.so.2", b"yaml")
        _add(archive, "usr/lib64/libc.so.6", b"the image's glibc")
        _add(archive, "usr/lib64/libm.so.6", b"the image's glibc")
        _add(archive, "lib64/ld-linux-x86-64.so.2", link="/usr/lib64/ld-linux-x86-64.so.2")
        _add(archive, "etc/passwd", b"root:x:0:0::/root:/bin/sh\n")
        for name, link in extra:
            _add(archive, name, link=link)
    return path


def test_the_launcher_runs_the_image_binary_with_the_image_libraries_but_not_its_glibc(tmp_path: Path) -> None:
    launcher = unpack(_image_tar(tmp_path / "image.tar"), tmp_path / "out")

    assert launcher == tmp_path / "out" / "fluent-bit"
    out = subprocess.run([launcher, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == "Fluent Bit v4.2.2"
    libraries = tmp_path / "out" / "lib"
    assert f"LD_LIBRARY_PATH={libraries.resolve()}" in out
    assert sorted(p.name for p in libraries.iterdir()) == ["libssl.so.3", "libssl.so.3.0.8", "libyaml-0.so.2"]
    assert (libraries / "libssl.so.3").read_bytes() == b"ssl"  # the absolute symlink now points inside
    assert not (tmp_path / "out" / "rootfs" / "etc").exists()  # only what Fluent Bit needs is unpacked


def test_unpacking_again_replaces_the_previous_unpack(tmp_path: Path) -> None:
    unpack(_image_tar(tmp_path / "image.tar"), tmp_path / "out")
    launcher = unpack(_image_tar(tmp_path / "image.tar"), tmp_path / "out")

    assert subprocess.run([launcher, "--version"], capture_output=True, check=True).returncode == 0


def test_a_filesystem_without_fluent_bit_is_refused_with_how_to_export_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no /fluent-bit/bin/fluent-bit .*docker export \$\(docker create IMAGE\)"):
        unpack(_image_tar(tmp_path / "image.tar", binary=None), tmp_path / "out")


def test_a_link_out_of_the_destination_is_refused_and_nothing_lands_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tar = _image_tar(tmp_path / "image.tar", extra=(("fluent-bit/escape", "../../../../../outside"),))

    assert main([str(tar), str(tmp_path / "out")]) == 2
    assert "router_image:" in capsys.readouterr().err
    assert not (tmp_path / "outside").exists()


# --- the fluentbit tier: the real binary, packed as an image packs it -----------------------------------


def _real_image_tar(binary: Path, path: Path) -> Path:
    """The real binary at /fluent-bit/bin/fluent-bit and the libraries it loads here in /usr/lib64."""
    libraries = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    with tarfile.open(path, "w") as archive:
        archive.add(binary.resolve(), "fluent-bit/bin/fluent-bit")
        for line in libraries.splitlines():
            parts = line.split()
            if "=>" in parts and len(parts) > 3 and parts[2].startswith("/"):
                archive.add(os.path.realpath(parts[2]), f"usr/lib64/{parts[0]}")
    return path


@pytest.mark.fluentbit
@pytest.mark.emulator
@pytest.mark.worker_seconds(15)
def test_the_unpacked_image_binary_runs_as_the_log_router(fluent_bit_binary: Path, tmp_path: Path) -> None:
    launcher = unpack(_real_image_tar(fluent_bit_binary, tmp_path / "image.tar"), tmp_path / "out")
    router_dir = tmp_path / "router"
    router_dir.mkdir()
    (router_dir / "extra.conf").write_text("[OUTPUT]\n    Name  null\n    Match *\n")
    firelens = FirelensContext(task_id=uuid.uuid4().hex, region="ap-northeast-1")

    with (
        Emulator() as emulator,
        FluentBitRun(
            binary=launcher, router_dir=router_dir, firelens=firelens, region="ap-northeast-1", emulator=emulator
        ) as run,
    ):
        with ForwardClient(run.socket_path) as client:
            client.send_lines(firelens, "app", [f'{{"n":{n}}}' for n in range(100)])
        pid = run.fluent_bit_pid()
        assert pid is not None  # found through the launcher, so its memory and CPU are measured
        assert Path(f"/proc/{pid}/exe").resolve().is_relative_to((tmp_path / "out" / "rootfs").resolve())
        assert run.sample() is not None
        run.stop()
        assert run.wait(30) == 0
        assert "Fluent Bit v4.2.2" in run.log_text()


# --- the GitHub job's own step, run here with a stand-in for docker -------------------------------------

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "router.yml"
FAKE_DOCKER = """#!/bin/sh
# docker create IMAGE -> an id; docker export ID --output FILE -> the test's image tar
case "$1" in
  create) echo 0123456789ab ;;
  export) cp "$IMAGE_TAR" "$4" ;;
  *) echo "fake docker: $*" >&2; exit 2 ;;
esac
"""


def _step(name_part: str) -> str:
    """The ``run:`` script of the workflow step whose name holds ``name_part``."""
    lines = WORKFLOW.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("- name:") and name_part in line)
    run = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("run: |"))
    indent = len(lines[run + 1]) - len(lines[run + 1].lstrip())
    body = []
    for line in lines[run + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        body.append(line[indent:])
    return "\n".join(body) + "\n"


def test_the_github_job_makes_the_image_binary_runnable_with_the_commands_tested_here(tmp_path: Path) -> None:
    script = _step("its Fluent Bit, runnable on the runner")
    assert "python -m firelens_local.router_image" in script
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "docker").write_text(FAKE_DOCKER)
    (tmp_path / "bin" / "docker").chmod(0o755)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".venv").symlink_to(Path(__file__).resolve().parents[2] / ".venv")
    env = {
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "IMAGE": "firelens-router:ci",
        "IMAGE_TAR": str(_image_tar(tmp_path / "image.tar")),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ENV": str(tmp_path / "github_env"),
    }

    subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path / "repo", env=env, check=True)

    launcher = tmp_path / "repo" / ".tools" / "router-image" / "fluent-bit"
    assert (tmp_path / "github_env").read_text() == f"FLUENT_BIT={launcher}\n"
    assert subprocess.run([launcher, "--version"], capture_output=True, text=True, check=True).stdout.startswith(
        "Fluent Bit v4.2.2"
    )
