"""Shared fixtures and helpers, defined once: environment for jsii and Terraform, one synth
of main.py per session, one emulator per module, and the helpers that look things up in
Terraform JSON or run Terraform on a synthesized stack.

Tiers: tests that start the emulator or run Terraform carry the ``emulator``
marker (added here to every test that uses the ``emulator`` fixture; modules
that run Terraform without it mark themselves), so ``pytest -m "not emulator"``
is the pure tier. ``make test`` runs both. Tests that run the real Fluent Bit
take :func:`fluent_bit_binary` and so carry the ``fluentbit`` marker; without a
binary they are skipped, with the reason on one line.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

import firelens_cdktf
from firelens_local import terraform_rc
from firelens_local.apply import apply_stacks
from firelens_local.synth import synth_app
from firelens_local.terraform import terraform

if TYPE_CHECKING:
    from cdktf import TerraformStack

from firelens_local.emulator import Emulator

firelens_cdktf.use_fast_provider_imports()

#: The checkout.
ROOT = Path(__file__).resolve().parent.parent
#: Recorded inputs and expected outputs (tests/fixtures/<kind>/...).
FIXTURES = ROOT / "tests" / "fixtures"

# The same environment the Makefile exports, for `pytest` run on its own.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CHECKPOINT_DISABLE", "1")
os.environ.setdefault("GOGC", "400")
if not os.environ.get("TF_CLI_CONFIG_FILE", "").startswith(str(ROOT)):
    _rc = ROOT / ".terraform.d" / "cli.tfrc"
    terraform_rc.main([str(_rc)])
    os.environ["TF_CLI_CONFIG_FILE"] = str(_rc)


_EMULATOR_FIXTURES = {"emulator", "shared_emulator", "shared_deployment"}
#: The worker group of every test that reads the session's shared deployment.
SHARED_GROUP = "shared-deployment"


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups set here
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tiers, order and worker groups.

    - Every test that uses an emulator is in the emulator tier.
    - Tests that change the shared deployment run after every test that reads it.
    - With ``make test``'s workers (pytest-xdist, ``--dist loadgroup``) the
      tests of one module share a worker (its module-scoped emulator and
      deployment are made once), and every test of the shared deployment shares
      one worker, in this order.
    - The groups are handed out longest first (``--no-loadscope-reorder`` in
      ``pytest.ini`` makes xdist keep this order instead of sorting by test
      count): see :func:`work_order`.
    """
    groups: dict[pytest.Item, str] = {}
    slow: set[str] = set()
    seconds: dict[str, float] = {}
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        shared = {"shared_emulator", "shared_deployment"} & fixtures
        group = groups[item] = SHARED_GROUP if shared else item.nodeid.split("::")[0]
        if _EMULATOR_FIXTURES & fixtures:
            item.add_marker(pytest.mark.emulator)
            slow.add(group)
        if "fluent_bit_binary" in fixtures:
            item.add_marker(pytest.mark.fluentbit)
        mark = item.get_closest_marker("worker_seconds")
        if mark is not None:
            seconds[group] = max(seconds.get(group, 0.0), float(mark.args[0]))
        item.add_marker(pytest.mark.xdist_group(group))

    rank = {group: position for position, group in enumerate(work_order(set(groups.values()), slow, seconds))}
    items.sort(key=lambda item: (rank[groups[item]], item.get_closest_marker("changes_shared_deployment") is not None))


def work_order(groups: set[str], emulator_groups: set[str], seconds: dict[str, float]) -> list[str]:
    """The order in which xdist hands the worker groups out: longest first, so the workers end together.

    The shared deployment's group comes first (it is the longest); then the
    groups whose modules say how long they take
    (``@pytest.mark.worker_seconds``), longest first; then the other groups
    with emulator tests; then the pure ones, which fill the gaps. Ties go by
    name, which is the collection's order.
    """

    def key(group: str) -> tuple[int, float, str]:
        if group == SHARED_GROUP:
            return 0, 0.0, group
        if group in seconds:
            return 1, -seconds[group], group
        return (2 if group in emulator_groups else 3), 0.0, group

    return sorted(groups, key=key)


# --- synth ----------------------------------------------------------------------------------------


def synth_main(outdir: Path, env: dict[str, str] | None = None) -> Path:
    """``python main.py`` of this checkout with ``outdir`` as the cdktf output directory."""
    return synth_app(outdir, env=env)


# --- made once per run -----------------------------------------------------------------------------

T = TypeVar("T")


def run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every process of this pytest run shares: the xdist workers' common parent, else the base."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]) -> T:
    """``make(<run directory>/<name>)``, computed by the first worker that asks and read back by the others.

    Session fixtures are made once per xdist worker; this makes a value once
    per ``pytest`` run (a file lock in :func:`run_directory` serialises the
    workers). The value is pickled, so it must be plain data; a directory it
    names is shared by every worker and must only be read or copied. If
    ``make`` raises, nothing is kept and the next worker that asks tries again
    (and reports its own error).
    """
    root = run_directory(tmp_path_factory)
    result = root / f"{name}.pickle"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if result.exists():
            return cast(T, pickle.loads(result.read_bytes()))
        value = make(root / name)
        partial = result.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(value))
        partial.replace(result)  # whole or not at all, should this worker die mid-write
        return value


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cdktf output directory of one ``python main.py`` run, shared by every worker of the run (read only)."""
    return once_per_run(tmp_path_factory, "cdktf.out", synth_main)


def synth_json(stack: TerraformStack) -> dict[str, Any]:
    """The stack's Terraform JSON as a dict (synthesized in-process)."""
    from cdktf import Testing

    return json.loads(Testing.synth(stack))


def resources(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """Every resource of ``type_`` in ``doc``."""
    return list(doc.get("resource", {}).get(type_, {}).values())


def only(doc: dict[str, Any], type_: str) -> dict[str, Any]:
    """The single resource of ``type_``; fails if there is not exactly one."""
    found = resources(doc, type_)
    assert len(found) == 1, f"expected one {type_}, found {len(found)}"
    return found[0]


def find(doc: dict[str, Any], type_: str, **attrs: Any) -> dict[str, Any]:
    """The single resource of ``type_`` whose attributes equal ``attrs``."""
    found = [r for r in resources(doc, type_) if all(r.get(k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"expected one {type_} with {attrs}, found {len(found)}"
    return found[0]


def ref(doc: dict[str, Any], type_: str, resource: dict[str, Any], attribute: str) -> str:
    """The ``${type.name.attribute}`` expression that refers to ``resource``."""
    for name, body in doc["resource"][type_].items():
        if body is resource:
            return f"${{{type_}.{name}.{attribute}}}"
    raise AssertionError(f"resource not found among {type_}")


def statements(policy_json: str) -> list[dict[str, Any]]:
    """The statements of an IAM policy document given as JSON."""
    return list(json.loads(policy_json)["Statement"])


# --- Terraform and the emulator -----------------------------------------------------------------


def copy_stack(synthesized: Path, stack: str, dest: Path) -> Path:
    """A private copy of one stack's directory, so tests never share Terraform state."""
    target = dest / stack
    shutil.copytree(synthesized / "stacks" / stack, target)
    return target


def deploy(synthesized: Path, stacks: tuple[str, ...], root: Path, env: dict[str, str]) -> dict[str, Path]:
    """Copy each stack under ``root`` and apply it, in order (:func:`apply_stacks`); return the working dirs."""
    return apply_stacks(synthesized / "stacks", stacks, root, env, s3=s3_client(env))


def s3_client(env: dict[str, str]) -> Any:
    """A boto3 S3 client for the emulator that ``env`` (:meth:`Emulator.env`) points at."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def plan_json(workdir: Path, env: dict[str, str] | None = None, *extra: str) -> dict[str, Any]:
    """``terraform plan -out`` then ``terraform show -json``: the machine-readable plan (workdir initialised)."""
    terraform(workdir, "plan", "-input=false", "-out=plan.tfplan", *extra, env=env)
    return dict(json.loads(terraform(workdir, "show", "-json", "plan.tfplan", env=env).stdout))


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """A moto server on a free port, for one test module (tests that deploy something of their own)."""
    from firelens_local.emulator import Emulator

    with Emulator() as emu:
        yield emu


#: Where ``make fluent-bit`` puts the binary.
FLUENT_BIT_TOOL = ROOT / ".tools" / "fluent-bit" / "bin" / "fluent-bit"


@pytest.fixture(scope="session")
def fluent_bit_binary() -> Path:
    """The real Fluent Bit for the ``fluentbit`` tier: ``FLUENT_BIT``, else what ``make fluent-bit`` built.

    Skips, with a one-line reason, when there is none or when this is not
    root (a router run needs private mount and network namespaces:
    :mod:`firelens_local.fluent_bit`). ``FLUENT_BIT`` naming no executable
    is a mistake, not an absence: that fails.
    """
    given = os.environ.get("FLUENT_BIT", "")
    if given and not os.access(given, os.X_OK):
        pytest.fail(f"FLUENT_BIT={given} is not an executable; point it at a fluent-bit binary or unset it")
    binary = Path(given) if given else FLUENT_BIT_TOOL
    if not os.access(binary, os.X_OK):
        pytest.skip(
            "no Fluent Bit binary: set FLUENT_BIT=/path/to/fluent-bit, or build one: make fluent-bit SRC=<git dir>"
        )
    if os.geteuid() != 0:
        pytest.skip(f"Fluent Bit at {binary}, but a router run needs root (unshare --mount --net); run as root")
    return binary


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[Emulator]:
    """The session's moto server, holding :func:`shared_deployment`."""
    from firelens_local.emulator import Emulator

    with Emulator() as emu:
        yield emu


@dataclass(frozen=True)
class SharedDeployment:
    """``state`` and ``pipeline`` applied once for the whole session.

    Attributes:
        emulator: Where they are deployed.
        workdirs: Stack name -> its Terraform working directory (initialised, with state in the bucket).
        env: The environment that points Terraform and the SDKs at the emulator.
    """

    emulator: Emulator
    workdirs: dict[str, Path]
    env: dict[str, str]
    _plans: dict[str, Path] = field(default_factory=dict, repr=False, compare=False)

    def plan(self, stack: str) -> Path:
        """The JSON of ``terraform plan`` of ``stack`` as deployed, made once for every test that reads it.

        Only tests that do not change the deployment may read it (the one
        that does runs last, see ``changes_shared_deployment``).
        """
        if stack not in self._plans:
            from firelens_harness.security_scan import plan_as_json

            self._plans[stack] = plan_as_json(self.workdirs[stack], self.env)
        return self._plans[stack]


#: The stacks ``make run`` deploys, in order.
DEPLOYED_STACKS = ("state", "pipeline")


@pytest.fixture(scope="session")
def shared_deployment(
    synthesized: Path, tmp_path_factory: pytest.TempPathFactory, shared_emulator: Emulator
) -> SharedDeployment:
    """The pipeline deployed once per session, as ``make run`` deploys it (the state stack bootstrapped first).

    Tests that only read it, or deliver logs to it, share it. The one test
    that destroys it carries ``@pytest.mark.changes_shared_deployment`` and so
    runs after all of them; a test that needs to change the infrastructure
    otherwise deploys its own copy on the module's ``emulator``.
    """
    from firelens_app.config import PipelineConfig

    env = shared_emulator.env(PipelineConfig().region)
    workdirs = deploy(synthesized, DEPLOYED_STACKS, tmp_path_factory.mktemp("shared-deployment"), env)
    return SharedDeployment(shared_emulator, workdirs, env)


__all__ = [
    "DEPLOYED_STACKS",
    "FIXTURES",
    "FLUENT_BIT_TOOL",
    "ROOT",
    "SharedDeployment",
    "copy_stack",
    "deploy",
    "find",
    "once_per_run",
    "only",
    "plan_json",
    "ref",
    "resources",
    "s3_client",
    "statements",
    "synth_json",
    "synth_main",
    "terraform",
]
