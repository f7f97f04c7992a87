"""State that survives: the state stack's own state in its bucket, and locks a killed run leaves.

On the module's own emulator (these tests create, lose and lock state):
bootstrap creates the bucket and moves the state in; a fresh copy of the
stack (what ``make clean`` or a second clone leaves) finds it and plans no
changes; lost state is adopted; a lock left by a killed ``terraform apply``
is cleared only when provably this clone's and stale, and named otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_stack, s3_client, terraform
from firelens_app.config import PipelineConfig
from firelens_cdktf.errors import StateError
from firelens_local.emulator import Emulator
from firelens_local.state import (
    Lock,
    RunRecord,
    check_locks,
    ensure_state_stack,
    find_locks,
    provably_stale,
    state_key,
    this_user,
)

CONFIG = PipelineConfig()
BUCKET = CONFIG.state_bucket


pytestmark = pytest.mark.worker_seconds(55)


@pytest.fixture(scope="module")
def env(emulator: Emulator) -> dict[str, str]:
    return emulator.env(CONFIG.region)


@pytest.fixture(scope="module")
def s3(env: dict[str, str]) -> Any:
    return s3_client(env)


def _no_changes(stack_dir: Path, env: dict[str, str]) -> bool:
    terraform(stack_dir, "init", "-input=false", "-reconfigure", env=env)
    return terraform(stack_dir, "plan", "-detailed-exitcode", "-input=false", env=env, ok_codes=(0, 2)).returncode == 0


@pytest.fixture(scope="module")
def bootstrapped(
    synthesized: Path, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str], s3: Any
) -> tuple[str, Path]:
    stack_dir = copy_stack(synthesized, "state", tmp_path_factory.mktemp("first-clone"))
    return ensure_state_stack(stack_dir, bucket=BUCKET, s3=s3, env=env, say=lambda _: None), stack_dir


def test_first_deploy_creates_the_bucket_and_moves_the_state_into_it(bootstrapped: tuple[str, Path], s3: Any) -> None:
    done, stack_dir = bootstrapped
    body = json.loads(s3.get_object(Bucket=BUCKET, Key=state_key("state"))["Body"].read())
    addresses = {f"{r['type']}.{r['name']}" for r in body["resources"]}
    assert (done, "aws_s3_bucket" in {a.split(".")[0] for a in addresses}, list(stack_dir.glob("*.tfstate"))) == (
        "created",
        True,
        [],
    )


def test_a_fresh_checkout_finds_the_bucket_and_its_state_and_plans_no_changes(
    bootstrapped: tuple[str, Path], synthesized: Path, tmp_path: Path, env: dict[str, str], s3: Any
) -> None:
    # What `make clean` or a second clone leaves: a new stack folder, no local state at all.
    fresh = copy_stack(synthesized, "state", tmp_path)
    assert (ensure_state_stack(fresh, bucket=BUCKET, s3=s3, env=env, say=lambda _: None), _no_changes(fresh, env)) == (
        "present",
        True,
    )


def test_a_bucket_whose_state_was_lost_is_adopted_and_plans_no_changes(
    bootstrapped: tuple[str, Path], synthesized: Path, tmp_path: Path, env: dict[str, str], s3: Any
) -> None:
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=state_key("state"))
    for item in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"], VersionId=item["VersionId"])
    fresh = copy_stack(synthesized, "state", tmp_path)
    done = ensure_state_stack(fresh, bucket=BUCKET, s3=s3, env=env, say=lambda _: None)
    assert (done, _no_changes(fresh, env), (fresh / "adopt_state_bucket.tf.json").exists()) == ("adopted", True, False)


# --- a lock left by a killed run -----------------------------------------------------------------


def _slow_config(stack: str) -> dict[str, Any]:
    """A configuration whose apply holds its lock for a minute, with its state in the state bucket."""
    return {
        "terraform": {
            "backend": {
                "s3": {
                    "bucket": BUCKET,
                    "key": state_key(stack),
                    "region": CONFIG.region,
                    "encrypt": True,
                    "use_lockfile": True,
                }
            }
        },
        # terraform_data is built into Terraform: no provider to install. The provisioner keeps the
        # apply (and so the lock) alive until the test kills it.
        "resource": {"terraform_data": {"slow": {"provisioner": {"local-exec": {"command": "sleep 60"}}}}},
    }


@pytest.fixture()
def killed_run(
    bootstrapped: tuple[str, Path], tmp_path: Path, env: dict[str, str], s3: Any
) -> tuple[Path, RunRecord, Path]:
    """A ``terraform apply`` killed (SIGKILL, no chance to unlock) while it holds its lock; its run record."""
    workdir = tmp_path / "slow"
    workdir.mkdir()
    (workdir / "main.tf.json").write_text(json.dumps(_slow_config(f"slow-{tmp_path.name}")))
    terraform(workdir, "init", "-input=false", env=env)
    state_dir = tmp_path / ".emulator"
    process = subprocess.Popen(
        ["terraform", "apply", "-auto-approve", "-input=false", "-no-color"],
        cwd=workdir,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    record = RunRecord(
        pid=process.pid, started=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1), clone=str(Path.cwd().resolve())
    )
    deadline = time.monotonic() + 60
    while not [lock for lock in find_locks(s3, BUCKET) if lock.stack == f"slow-{tmp_path.name}"]:
        assert time.monotonic() < deadline and process.poll() is None, "terraform never took its lock"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return workdir, record, state_dir


def test_a_stale_lock_of_this_clones_killed_run_is_cleared_and_the_next_run_converges(
    killed_run: tuple[Path, RunRecord, Path], env: dict[str, str], s3: Any
) -> None:
    workdir, record, _ = killed_run
    said: list[str] = []
    check_locks(s3, BUCKET, record=record, output_dir="cdktf.out.emulator", say=said.append)
    config = json.loads((workdir / "main.tf.json").read_text())
    (workdir / "main.tf.json").write_text(json.dumps({**config, "resource": {"terraform_data": {"slow": {}}}}))
    terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    assert (find_locks(s3, BUCKET), len(said), "cleared a stale lock" in said[0]) == ([], 1, True)


def test_fails_when_a_lock_is_not_provably_this_clones_and_names_it_with_the_fix(
    killed_run: tuple[Path, RunRecord, Path], s3: Any
) -> None:
    [lock] = find_locks(s3, BUCKET)
    with pytest.raises(StateError) as raised:
        check_locks(s3, BUCKET, record=None, output_dir="cdktf.out.emulator", say=lambda _: None)
    message = str(raised.value)
    s3.delete_object(Bucket=BUCKET, Key=lock.key)
    assert [
        part
        for part in (
            lock.id,
            "taken",
            "ago",
            "make unlock",
            f"force-unlock -force {lock.id}",
            f"cdktf.out.emulator/stacks/{lock.stack}",
        )
        if part not in message
    ] == []


# --- the rule, without an emulator ----------------------------------------------------------------

START = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _lock(who: str = "", created: dt.datetime | None = START + dt.timedelta(seconds=20)) -> Lock:
    return Lock(
        key="pipeline/terraform.tfstate.tflock",
        id="abc",
        who=who or this_user(),
        operation="OperationTypeApply",
        created=created,
    )


def _record(pid: int, clone: str = "") -> RunRecord:
    return RunRecord(pid=pid, started=START, clone=clone or str(Path.cwd().resolve()))


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.parametrize(
    ("lock", "record", "stale"),
    [
        pytest.param(_lock(), _record(_dead_pid()), True, id="ours-and-dead"),
        pytest.param(_lock(), _record(os.getpid()), False, id="run-still-alive"),
        pytest.param(_lock(), None, False, id="no-record"),
        pytest.param(_lock(who="someone@elsewhere"), _record(_dead_pid()), False, id="other-user-or-host"),
        pytest.param(_lock(), _record(_dead_pid(), clone="/another/clone"), False, id="other-clone"),
        pytest.param(_lock(created=START - dt.timedelta(minutes=5)), _record(_dead_pid()), False, id="older-than-run"),
    ],
)
def test_a_lock_is_cleared_only_when_provably_ours_and_stale(lock: Lock, record: RunRecord | None, stale: bool) -> None:
    assert provably_stale(lock, record, user=this_user(), clone=str(Path.cwd().resolve())) is stale


def test_a_run_record_survives_the_run_and_names_its_process(tmp_path: Path) -> None:
    written = RunRecord.begin(tmp_path, 4566)
    loaded = RunRecord.load(tmp_path, 4566)
    assert (loaded == written, loaded.alive if loaded else None, RunRecord.load(tmp_path, 4567)) == (True, True, None)


class _PresentState:
    """An S3 client on which the state bucket and the state stack's state object exist."""

    def head_bucket(self, **_: Any) -> dict[str, Any]:
        return {}

    def head_object(self, **_: Any) -> dict[str, Any]:
        return {}


@pytest.mark.parametrize(("backend", "kept"), [("local", False), ("s3", True)])
def test_a_directory_left_on_make_destroys_local_backend_is_initialised_afresh(
    tmp_path: Path, backend: str, kept: bool
) -> None:
    # make destroy moved the state to a local file; another clone deployed since, so the state is in the bucket
    record = tmp_path / ".terraform" / "terraform.tfstate"
    record.parent.mkdir()
    record.write_text(json.dumps({"version": 3, "backend": {"type": backend, "config": {}}}))
    said: list[str] = []
    assert ensure_state_stack(tmp_path, bucket="b", s3=_PresentState(), env={}, say=said.append) == "present"
    assert record.exists() is kept
    assert bool(said) is not kept
