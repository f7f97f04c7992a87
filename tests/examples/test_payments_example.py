"""Reuse shown, not claimed: the payments team's app (examples/payments) installs firelens-cdktf from a
built wheel with the known-good pins, and its README's consumer path runs as written: the emulator started
by the wheel's own ``firelens-local``, Terraform pointed at it, ``cdktf synth``, ``deploy`` and ``destroy``.

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
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.emulator, pytest.mark.worker_seconds(200)]

EXAMPLE = ROOT / "examples" / "payments"
STACK = "payments"
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
    venv = root / "app" / ".venv"  # where the README's `python3.11 -m venv .venv` puts it
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
        "--constraint",
        ROOT / "constraints.txt",
        f"{wheel}[local]",
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
    tag = _run(cli, "build-context", "--routing", "team_routing:ROUTING", "--out", "router-image", cwd=tmp_path)
    assert re.fullmatch(r"[0-9a-f]{16}\n", tag) and (tmp_path / "router-image" / "Dockerfile").is_file()
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


# --- the README's consumer path ---------------------------------------------------------------------

README = EXAMPLE / "README.md"
#: The README's lines that install; the suite does the same offline (the fixtures above, node_modules linked).
INSTALL_LINES = (
    "python3.11 -m venv .venv",
    '.venv/bin/pip install "firelens_cdktf-{version}-py3-none-any.whl[local]" -c constraints.txt',
    "npm install",
)


def readme_commands() -> list[str]:
    """The lines of the README's consumer-path block."""
    text = README.read_text()
    start = text.index("## From the wheel to the emulator and back")
    block = text[text.index("```sh\n", start) + len("```sh\n") :]
    return [line for line in block[: block.index("```")].splitlines() if line.strip()]


def test_the_readme_installs_the_wheel_being_released_with_the_constraints_file() -> None:
    from firelens_cdktf import __version__

    commands = readme_commands()
    assert [c for c in commands if c in {line.format(version=__version__) for line in INSTALL_LINES}] == [
        line.format(version=__version__) for line in INSTALL_LINES
    ]


def test_the_constraints_file_is_the_lock_files_versions() -> None:
    from firelens_harness.constraints import constraints

    assert (ROOT / "constraints.txt").read_text() == constraints(), "run: make constraints"


def test_the_example_pins_the_cdktf_cli_the_repository_tests_with() -> None:
    ours = json.loads((ROOT / "package.json").read_text())["devDependencies"]["cdktf-cli"]
    assert json.loads((EXAMPLE / "package.json").read_text())["devDependencies"] == {"cdktf-cli": ours}


@dataclass(frozen=True)
class Deployed:
    """The example after the README's lines up to ``cdktf deploy``: its folder, environment and what Terraform
    holds; the rest of the README's lines (destroy, emulator stop) ran after the state was read."""

    app: Path
    synthesized: dict[str, Any]
    state: dict[str, Any]
    after_destroy: list[str]
    transcript: str
    #: ``firelens-local query`` of the API team's audit table, after both services' streams took records.
    api_query: str
    #: Stored bytes under each service's partition (``service=<name>/``), and in the whole bucket.
    partition_bytes: dict[str, int]
    bucket_bytes: int


#: Audit records each service's stream takes on the emulator (the worker's are larger: its partition is not the API's).
AUDIT_RECORDS = {"payments-api": 40, "payments-worker": 120}


def _put_audit_records(port: int, installed: Installed) -> tuple[str, dict[str, int], int]:
    """Records into each service's stream, as its router would put them; then the API team's saved query."""
    from firelens_local.emulator import emulator_client

    endpoint = f"http://127.0.0.1:{port}"
    firehose = emulator_client("firehose", endpoint, "ap-northeast-1")
    for service, count in AUDIT_RECORDS.items():
        lines = [
            json.dumps({"message": f"{service} charge {i}", "amount_cents": 100 + i, "container_name": service})
            for i in range(count)
        ]
        data = ("\n".join(lines) + "\n\n").encode()  # one simple_aggregation record, as Fluent Bit sends it
        firehose.put_record_batch(DeliveryStreamName=f"payments-audit-{service}", Records=[{"Data": data}])
    s3 = emulator_client("s3", endpoint, "ap-northeast-1")
    sizes = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket="payments-audit-archive").get("Contents", [])}
    partition_bytes = {
        service: sum(size for key, size in sizes.items() if key.startswith(f"service={service}/year="))
        for service in AUDIT_RECORDS
    }
    query = subprocess.run(
        [
            installed.bin / "firelens-local",
            "query",
            "--port",
            str(port),
            "--table",
            "payments_logs.payments_audit_payments_api",
            "--workgroup",
            "payments-api-audit",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert query.returncode == 0, query.stderr
    return query.stdout, partition_bytes, sum(sizes.values())


def _bash(lines: list[str], app: Path, env: dict[str, str], port: int) -> str:
    script = "set -eu\n" + "\n".join(line.replace("4566", str(port)) for line in lines) + "\n"
    result = subprocess.run(
        ["bash", "-c", script], cwd=app, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, f"README lines failed:\n{script}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def deployed(installed: Installed) -> Deployed:
    from firelens_cdktf import __version__
    from firelens_local.emulator import free_port

    app = installed.bin.parent.parent
    for name in ("main.py", "cdktf.json", "package.json"):
        shutil.copy2(EXAMPLE / name, app / name)
    shutil.copy2(ROOT / "constraints.txt", app / "constraints.txt")
    (app / "node_modules").symlink_to(ROOT / "node_modules")  # `npm install`: the same cdktf-cli, offline
    installs = {line.format(version=__version__) for line in INSTALL_LINES}
    commands = [c for c in readme_commands() if c not in installs]
    deploy = next(i for i, c in enumerate(commands) if c.startswith("cdktf deploy"))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "TF_", "CDKTF_", "VIRTUAL_ENV", "PYTHON"))
    }
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    port = free_port()
    setup = [c for c in commands[: deploy + 1]]
    try:
        transcript = _bash(
            setup + ["terraform -chdir=cdktf.out/stacks/payments state pull > state.json"], app, env, port
        )
        state = json.loads((app / "state.json").read_text())
        api_query, partition_bytes, bucket_bytes = _put_audit_records(port, installed)
        synthesized = json.loads((app / "cdktf.out" / "stacks" / STACK / "cdk.tf.json").read_text())
        rest = [c for c in commands if c.startswith(("export ", "eval "))] + commands[deploy + 1 :]
        rest.insert(len(rest) - 1, "terraform -chdir=cdktf.out/stacks/payments state list > left.txt")
        transcript += _bash(rest, app, env, port)
    finally:
        subprocess.run(
            [installed.bin / "firelens-local", "emulator", "stop", "--port", str(port)], cwd=app, check=False
        )
    return Deployed(
        app,
        synthesized,
        state,
        (app / "left.txt").read_text().split(),
        transcript,
        api_query,
        partition_bytes,
        bucket_bytes,
    )


def _resources(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return list(doc["resource"].get(kind, {}).values())


def test_the_example_deploys_two_services_on_one_cluster_with_one_archive(deployed: Deployed) -> None:
    services = sorted(
        instance["attributes"]["name"]
        for r in deployed.state["resources"]
        if r["type"] == "aws_ecs_service"
        for instance in r["instances"]
    )
    kinds = {r["type"] for r in deployed.state["resources"]}
    assert services == ["payments-api", "payments-worker"]
    assert {"aws_lb", "aws_lb_target_group", "aws_kinesis_firehose_delivery_stream", "aws_ecs_cluster"} <= kinds
    assert len(_resources(deployed.synthesized, "aws_ecs_cluster")) == 1
    streams = sorted(s["name"] for s in _resources(deployed.synthesized, "aws_kinesis_firehose_delivery_stream"))
    assert streams == ["payments-audit-payments-api", "payments-audit-payments-worker"]  # one archive, one per service
    assert len(_resources(deployed.synthesized, "aws_s3_bucket")) == 1 + 2  # the archive + each team's results


def test_a_teams_saved_query_reads_only_its_own_partition_of_the_shared_archive(deployed: Deployed) -> None:
    """The API team's query scans exactly the bytes under service=payments-api/, not the worker's."""
    api, worker = deployed.partition_bytes["payments-api"], deployed.partition_bytes["payments-worker"]
    assert api > 0 and worker > api  # both services delivered; the worker wrote more
    head = deployed.api_query.splitlines()[0]
    assert "partition s3://payments-audit-archive/service=payments-api/year=" in head
    assert f"{api:,} bytes stored" in head
    assert "1 row(s)" in deployed.api_query and f"{AUDIT_RECORDS['payments-api']}" in deployed.api_query
    assert f"({1} row(s); {api:,} bytes scanned)" in deployed.api_query
    assert deployed.bucket_bytes >= api + worker


def test_the_api_registers_its_web_port_with_the_target_group_and_opens_it_to_the_load_balancer_only(
    deployed: Deployed,
) -> None:
    api = next(s for s in _resources(deployed.synthesized, "aws_ecs_service") if s["name"] == "payments-api")
    [target] = api["load_balancer"]
    assert (target["container_name"], target["container_port"]) == ("web", 8080)
    groups = [g for g in _resources(deployed.synthesized, "aws_security_group") if g.get("name") != "payments-alb"]
    opened = [
        (rule["from_port"], rule.get("cidr_blocks"), rule.get("security_groups"))
        for g in groups
        for rule in g.get("ingress", [])
    ]
    assert [port for port, *_ in opened] == [8080]  # the metrics port 9090 is opened to nobody
    assert opened[0][1] in (None, []) and opened[0][2]  # from a security group (the load balancer's), no CIDR


def test_the_web_container_gets_its_secret_and_health_check_and_the_metrics_container_is_not_essential(
    deployed: Deployed,
) -> None:
    api = next(t for t in _resources(deployed.synthesized, "aws_ecs_task_definition") if t["family"] == "payments-api")
    containers = {c["name"]: c for c in json.loads(api["container_definitions"])}
    assert sorted(containers) == ["log_router", "metrics", "web"]
    assert [s["name"] for s in containers["web"]["secrets"]] == ["DATABASE_URL"]
    assert containers["web"]["healthCheck"]["command"][0] == "CMD-SHELL"
    assert containers["metrics"]["essential"] is False


def test_the_readme_path_ends_with_nothing_left_and_the_emulator_stopped(deployed: Deployed) -> None:
    assert deployed.after_destroy == []
    assert "emulator: stopped the moto server" in deployed.transcript
