"""Reuse shown, not claimed: another team's app installs firelens-cdktf from a built wheel,
synthesizes, validates, and deploys to the emulator and back.

The wheel is built from a copy of the package's files (``pip wheel``), then
installed into a new virtual environment with ``pip install --no-index``.
That venv sees this checkout's third-party packages (cdktf and the provider
bindings, ~0.5 GB) through a ``.pth`` file listing a folder of links to them,
*without* this checkout's own editable firelens_cdktf: so pip must find the
wheel's dependency ranges satisfied by the pinned versions, and every import
of ``firelens_cdktf`` comes from the installed wheel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, terraform
from firelens_local.emulator import Emulator
from firelens_local.synth import synth_app

pytestmark = [pytest.mark.emulator, pytest.mark.worker_seconds(150)]

EXAMPLE = ROOT / "examples" / "second-team"
STACK = "second-team"
REGION = "ap-northeast-1"
#: Entries of this checkout's site-packages that belong to its own editable install.
_OWN = ("firelens_cdktf", "firelens_local", "__editable__", "_firelens_cdktf")


@dataclass(frozen=True)
class Installed:
    """The clean venv with the wheel installed."""

    python: Path
    bin: Path
    site_packages: Path


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "modules", source / "modules", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    out = tmp_path_factory.mktemp("wheels")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", out, source)
    [built] = out.glob("firelens_cdktf-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("team")
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)  # this checkout's pip installs into it (--python)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    shared = root / "third-party"
    shared.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if not entry.name.startswith(_OWN) and not entry.name.endswith(".pth"):
            (shared / entry.name).symlink_to(entry)
    (site / "third_party.pth").write_text(f"{shared}\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-index",
        "--quiet",
        "--disable-pip-version-check",
        wheel,
    )
    return Installed(python=python, bin=venv / "bin", site_packages=site)


def test_the_wheel_holds_the_library_and_firelens_local_and_no_app_or_test_module(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        modules = [n for n in archive.namelist() if n.endswith(".py")]
    assert {t for t in tops if not t.endswith(".dist-info")} == {"firelens_cdktf", "firelens_local"}
    assert [
        m
        for m in modules
        if any(
            part in m
            for part in ("firelens_app", "firelens_harness", "tests/", "bad_inputs", "bad_cli_inputs", "/stacks/")
        )
    ] == []


def test_the_wheel_installs_a_typed_package_with_its_layers_and_a_console_script(installed: Installed) -> None:
    code = (
        "import firelens_cdktf, pkgutil, pathlib; p = pathlib.Path(firelens_cdktf.__file__).parent; "
        "print(p); print(sorted(m.name for m in pkgutil.iter_modules([str(p)]) if m.ispkg)); "
        "print((p / 'py.typed').exists())"
    )
    location, subpackages, typed = _run(installed.python, "-c", code, cwd=installed.bin).splitlines()
    assert (Path(location).parent, subpackages, typed) == (
        installed.site_packages,
        "['archive', 'cli', 'constructs', 'cost', 'fluentbit', 'iam', 'lint', 'review', 'routing']",
        "True",
    )


#: A team's own files, outside this checkout: a routing module, a config, a log line, a plan.
TEAM_ROUTING = """from firelens_cdktf import AppLogRouting, CloudWatchLogs, LogRouting, Route

ROUTING = LogRouting(region="eu-west-1", apps=(AppLogRouting("payments-api", default=CloudWatchLogs("/payments/app"),
    routes=(Route("errors", field="level", pattern="^error$", destination=CloudWatchLogs("/payments/errors")),)),))
"""
TEAM_PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.11.4",
    "resource_changes": [
        {
            "address": "aws_cloudwatch_log_group.app",
            "type": "aws_cloudwatch_log_group",
            "mode": "managed",
            "change": {"actions": ["create"], "before": None, "after": {"name": "/payments/app"}},
        }
    ],
}


def test_every_console_subcommand_runs_from_the_wheel_on_the_teams_own_files(
    installed: Installed, tmp_path: Path
) -> None:
    cli = installed.bin / "firelens-cdktf"
    (tmp_path / "team_routing.py").write_text(TEAM_ROUTING)
    compiled = _run(cli, "compile", "--routing", "team_routing:ROUTING", "--out", "router", cwd=tmp_path)
    assert "wrote router/extra.conf" in compiled
    assert "/payments/errors" in (tmp_path / "router" / "extra.conf").read_text()
    assert _run(cli, "graph", "--routing", "team_routing.py:ROUTING", cwd=tmp_path).startswith("flowchart LR")
    linted = _run(cli, "lint", "--config", "router/extra.conf", "--container", "payments-api", cwd=tmp_path)
    assert linted.splitlines()[-1] == "0 error(s), 0 warning(s)"
    line = json.dumps({"level": "error", "message": "card declined"})
    preview = subprocess.run(
        [str(cli), "preview", "--config", "router/extra.conf", "--container", "payments-api", "--json"],
        input=line + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    deliveries = json.loads(preview.stdout)["deliveries"]
    assert (preview.returncode, [d["output"] for d in deliveries]) == (0, ["payments-api.errors"])
    (tmp_path / "plan.json").write_text(json.dumps(TEAM_PLAN))
    assert "PASS" in _run(cli, "review", "plan.json", cwd=tmp_path)


@pytest.fixture(scope="module")
def synthesized_example(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    app_dir = tmp_path_factory.mktemp("example")
    shutil.copy2(EXAMPLE / "main.py", app_dir / "main.py")
    out = synth_app(app_dir / "cdktf.out", app_dir=app_dir, python=str(installed.python))
    return out / "stacks" / STACK


def test_the_example_synthesizes_two_services_sharing_one_archive_cluster_and_network(
    synthesized_example: Path,
) -> None:
    resources = json.loads((synthesized_example / "cdk.tf.json").read_text())["resource"]
    counts = {
        t: len(resources[t])
        for t in (
            "aws_ecs_service",
            "aws_ecs_cluster",
            "aws_vpc",
            "aws_kinesis_firehose_delivery_stream",
            "aws_ecs_task_definition",
        )
    }
    shop = next(t for t in resources["aws_ecs_task_definition"].values() if t["family"] == "shop")
    names = [c["name"] for c in json.loads(shop["container_definitions"])]
    assert (counts, names) == (
        {
            "aws_ecs_service": 2,
            "aws_ecs_cluster": 1,
            "aws_vpc": 1,
            "aws_kinesis_firehose_delivery_stream": 1,
            "aws_ecs_task_definition": 2,
        },
        ["nginx", "shop-api", "log_router"],  # the app containers by name, then the router
    )


def test_the_example_validates_applies_and_destroys_on_the_emulator(
    synthesized_example: Path, emulator: Emulator
) -> None:
    env = emulator.env(REGION)
    terraform(synthesized_example, "init", "-input=false", env=env)
    terraform(synthesized_example, "validate", env=env)
    terraform(synthesized_example, "apply", "-auto-approve", "-input=false", env=env)
    # `state pull` and `state list` read the state as it is; unlike `show -json` they load no
    # provider schema (~5 s of CPU each).
    state = json.loads(terraform(synthesized_example, "state", "pull", env=env).stdout)
    services = sorted(
        instance["attributes"]["name"]
        for r in state["resources"]
        if r["type"] == "aws_ecs_service"
        for instance in r["instances"]
    )
    terraform(synthesized_example, "destroy", "-auto-approve", "-input=false", env=env)
    left = terraform(synthesized_example, "state", "list", env=env).stdout.split()
    assert (services, left) == (["reports", "shop"], [])
