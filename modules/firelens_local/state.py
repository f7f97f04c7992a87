"""The ``state`` stack's own state, and the locks every stack's state may be left holding.

The ``state`` stack creates the bucket every stack keeps its Terraform state
in, its own included (key ``state/terraform.tfstate``, the same S3 backend
settings as the others: ``encrypt``, ``use_lockfile``). A stack cannot keep its
state in a bucket that does not exist yet, so :func:`ensure_state_stack` runs
before its first deploy and handles the three cases:

- the bucket and the state object exist (a second run, a fresh clone, a
  second clone, CI): nothing to do, ``terraform init`` finds them;
- the bucket does not exist (first deploy): apply with a temporary local
  backend (an override file), then ``terraform init -migrate-state`` copies the
  state into the bucket, and the local copy is deleted;
- the bucket exists but holds no state for the stack (its state was lost, or
  kept locally by an older version of this project): the bucket and its
  settings are adopted into a new state with ``import`` blocks, then the
  apply makes them match the code.

:func:`destroy_state_stack` does the reverse for ``make destroy``: the state
moves out of the bucket into a local file, the bucket is emptied and
destroyed, and the file is deleted once the destroy succeeded.

Locks: with ``use_lockfile`` Terraform holds a run's lock as the object
``<state key>.tflock`` next to the state. A run that is killed (Ctrl-C on
``cdktf deploy``) can leave it behind, and every later run then fails with
"Error acquiring the state lock". :func:`check_locks` names such a lock (ID,
age, who, how to clear it) and clears it only when it is provably this
clone's own and stale: on the emulator, taken after the last run this clone
recorded (:class:`RunRecord`), by this user on this host, and that run's
process is gone.

Command line (``make unlock``, ``make deploy``)::

    python -m firelens_local.state unlock      # list the locks on the emulator's state bucket and clear them
    python -m firelens_local.state bootstrap   # make deploy: create or adopt the state bucket, state in it
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firelens_cdktf.errors import StateError
from firelens_local.terraform import terraform

#: Override file that points a stack at a local state file while its bucket is created or destroyed.
LOCAL_BACKEND_OVERRIDE = "local_backend_override.tf.json"
#: File of ``import`` blocks that adopts an existing state bucket.
ADOPT_FILE = "adopt_state_bucket.tf.json"
#: Suffix of the lock object ``use_lockfile`` writes next to a state object.
LOCK_SUFFIX = ".tflock"

Say = Callable[[str], None]


def state_key(stack: str) -> str:
    """Key of a stack's state object in the state bucket (the S3 backend's ``key``)."""
    return f"{stack}/terraform.tfstate"


def _exists(s3: Any, bucket: str, key: str | None = None) -> bool:
    from botocore.exceptions import ClientError

    try:
        if key is None:
            s3.head_bucket(Bucket=bucket)
        else:
            s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


@contextmanager
def _local_backend(stack_dir: Path, state_file: Path) -> Iterator[None]:
    """While inside: the stack's backend is the local file ``state_file`` (an override file, removed after)."""
    override = stack_dir / LOCAL_BACKEND_OVERRIDE
    override.write_text(json.dumps({"terraform": {"backend": {"local": {"path": str(state_file.resolve())}}}}))
    try:
        yield
    finally:
        override.unlink(missing_ok=True)


def _bucket_addresses(stack_dir: Path) -> list[tuple[str, str]]:
    """(address, import id) of every resource of the synthesized state stack: all are keyed by the bucket name."""
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    out = []
    for type_, blocks in doc.get("resource", {}).items():
        for name, body in blocks.items():
            bucket = body.get("bucket")
            if not isinstance(bucket, str) or bucket.startswith("${"):
                bucket = next(b.get("bucket") for b in doc["resource"]["aws_s3_bucket"].values())
            out.append((f"{type_}.{name}", bucket))
    return out


def _forget_local_backend(stack_dir: Path, say: Say) -> None:
    """Drop a working directory's record of a temporary local backend, so ``terraform init`` takes the S3 one.

    ``make destroy`` leaves the state stack's directory initialised on the
    local file its state moved to. Once another clone has deployed again, the
    state is in the bucket, and a plain ``terraform init`` (``cdktf deploy``)
    would stop at "Backend configuration changed". Without the record the
    directory counts as not initialised and the S3 backend is set up afresh.
    """
    record = stack_dir / ".terraform" / "terraform.tfstate"
    try:
        backend = json.loads(record.read_text()).get("backend", {}).get("type")
    except (OSError, ValueError):
        return
    if backend not in (None, "s3"):
        record.unlink()
        say(
            f"state stack: its working directory was set up for a {backend} backend (left by make destroy); "
            "initialising it on the state bucket instead"
        )


def ensure_state_stack(stack_dir: Path, *, bucket: str, s3: Any, env: dict[str, str], say: Say) -> str:
    """Make the synthesized ``state`` stack in ``stack_dir`` deployable with its S3 backend; return what was done.

    Args:
        stack_dir: ``<outdir>/stacks/state``, synthesized.
        bucket: The state bucket (``PipelineConfig.state_bucket``).
        s3: A boto3 S3 client for the account (or emulator) being deployed to.
        env: Environment for Terraform (credentials, endpoint).
        say: Where progress lines go.

    Returns:
        ``"present"``, ``"created"`` or ``"adopted"``.

    Raises:
        TerraformError: a Terraform step failed (its output is in the message).
    """
    key = state_key("state")
    if _exists(s3, bucket) and _exists(s3, bucket, key):
        _forget_local_backend(stack_dir, say)
        return "present"
    if not _exists(s3, bucket):
        say(f"state bucket {bucket} does not exist: creating it with a local state, then moving that state into it")
        local_state = stack_dir / "bootstrap.tfstate"
        with _local_backend(stack_dir, local_state):
            terraform(stack_dir, "init", "-input=false", "-reconfigure", env=env)
            terraform(stack_dir, "apply", "-auto-approve", "-input=false", env=env)
        terraform(stack_dir, "init", "-input=false", "-migrate-state", "-force-copy", env=env)
        if not _exists(s3, bucket, key):
            raise StateError(
                f"state stack: the state did not arrive at s3://{bucket}/{key}; it is kept in "
                f"{local_state}. Fix: run `terraform -chdir={stack_dir} init -migrate-state` by hand"
            )
        local_state.unlink(missing_ok=True)
        local_state.with_name(local_state.name + ".backup").unlink(missing_ok=True)
        say(f"state of the state stack now lives in s3://{bucket}/{key}")
        return "created"
    say(f"state bucket {bucket} exists but holds no state at {key}: adopting the bucket into a new state")
    imports = [{"to": address, "id": id_} for address, id_ in _bucket_addresses(stack_dir)]
    adopt = stack_dir / ADOPT_FILE
    adopt.write_text(json.dumps({"import": imports}, indent=1))
    try:
        terraform(stack_dir, "init", "-input=false", "-reconfigure", env=env)
        terraform(stack_dir, "apply", "-auto-approve", "-input=false", env=env)
    finally:
        adopt.unlink(missing_ok=True)
    say(f"adopted {len(imports)} resources; their state now lives in s3://{bucket}/{key}")
    return "adopted"


def destroy_state_stack(
    stack_dir: Path, *, bucket: str, env: dict[str, str], say: Say, empty: Callable[[], None]
) -> None:
    """Destroy the ``state`` stack, whose state lives in the bucket it destroys.

    The state moves out of the bucket into ``<stack_dir>/destroy.tfstate``
    first (``init -migrate-state`` with a local backend), then ``empty()``
    removes every object version from the bucket, then ``terraform destroy``
    runs on the local copy, which is deleted afterwards.
    """
    local_state = stack_dir / "destroy.tfstate"
    terraform(stack_dir, "init", "-input=false", "-reconfigure", env=env)
    with _local_backend(stack_dir, local_state):
        say(
            f"moving the state stack's state out of s3://{bucket}/{state_key('state')} into {local_state}, "
            "so that the bucket can be emptied and deleted"
        )
        terraform(stack_dir, "init", "-input=false", "-migrate-state", "-force-copy", env=env)
        empty()
        terraform(stack_dir, "destroy", "-auto-approve", "-input=false", env=env)
    local_state.unlink(missing_ok=True)
    local_state.with_name(local_state.name + ".backup").unlink(missing_ok=True)
    say(f"state bucket {bucket} destroyed; its local copy of the state is deleted (nothing is left to track)")


# --- locks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """A lock object ``use_lockfile`` left in the state bucket (Terraform's lock info)."""

    key: str
    id: str
    who: str
    operation: str
    created: dt.datetime | None

    @property
    def stack(self) -> str:
        """The stack whose state it locks (the first part of the key)."""
        return self.key.split("/", 1)[0]

    def age(self, now: dt.datetime | None = None) -> str:
        """How long ago it was taken, e.g. ``3 min``."""
        if self.created is None:
            return "unknown age"
        seconds = ((now or dt.datetime.now(dt.UTC)) - self.created).total_seconds()
        return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"

    def describe(self) -> str:
        """One line: stack, ID, age, who and what took it."""
        return (
            f"lock {self.id} on the {self.stack} stack's state (s3 key {self.key}), taken {self.age()} ago "
            f"by {self.who or 'unknown'} for {self.operation or 'an unknown operation'}"
        )


def _parse_time(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def find_locks(s3: Any, bucket: str) -> list[Lock]:
    """Every lock object in ``bucket`` (none when the bucket does not exist)."""
    if not _exists(s3, bucket):
        return []
    locks = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            if not item["Key"].endswith(LOCK_SUFFIX):
                continue
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            try:
                info = json.loads(body)
            except ValueError:
                info = {}
            created = _parse_time(str(info.get("Created", ""))) or item.get("LastModified")
            locks.append(
                Lock(
                    key=item["Key"],
                    id=str(info.get("ID", "?")),
                    who=str(info.get("Who", "")),
                    operation=str(info.get("Operation", "")),
                    created=created,
                )
            )
    return locks


def this_user() -> str:
    """``user@host`` as Terraform writes it in a lock's ``Who``."""
    return f"{getpass.getuser()}@{socket.gethostname()}"


@dataclass(frozen=True)
class RunRecord:
    """What this clone knows about its last deploy or destroy on one emulator port: who ran it and when.

    Written to ``.emulator/run-<port>.json`` when a run starts and left there,
    so that a run killed half-way can be told apart from another clone's or a
    live one's.
    """

    pid: int
    started: dt.datetime
    clone: str

    @classmethod
    def path(cls, state_dir: Path, port: int) -> Path:
        """The record's file for ``port``."""
        return state_dir / f"run-{port}.json"

    @classmethod
    def load(cls, state_dir: Path, port: int) -> RunRecord | None:
        """The last record, or ``None``."""
        try:
            raw = json.loads(cls.path(state_dir, port).read_text())
            return cls(pid=int(raw["pid"]), started=dt.datetime.fromisoformat(raw["started"]), clone=raw["clone"])
        except (OSError, ValueError, KeyError):
            return None

    @classmethod
    def begin(cls, state_dir: Path, port: int) -> RunRecord:
        """Record that this process starts a run now."""
        record = cls(pid=os.getpid(), started=dt.datetime.now(dt.UTC), clone=str(Path.cwd().resolve()))
        state_dir.mkdir(parents=True, exist_ok=True)
        cls.path(state_dir, port).write_text(
            json.dumps({"pid": record.pid, "started": record.started.isoformat(), "clone": record.clone})
        )
        return record

    @property
    def alive(self) -> bool:
        """Whether the recorded process still runs."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def provably_stale(lock: Lock, record: RunRecord | None, *, user: str, clone: str) -> bool:
    """Whether ``lock`` was left by this clone's last run, which is no longer running."""
    return (
        record is not None
        and not record.alive
        and record.clone == clone
        and lock.who == user
        and lock.created is not None
        and lock.created >= record.started - dt.timedelta(seconds=5)
    )


def unlock_hint(lock: Lock, stack_dir: str) -> str:
    """How to clear ``lock`` by hand."""
    return (
        f"if no deploy is running, clear it with `make unlock` (on the emulator) or "
        f"`terraform -chdir={stack_dir} force-unlock -force {lock.id}`"
    )


def check_locks(s3: Any, bucket: str, *, record: RunRecord | None, output_dir: str, say: Say) -> None:
    """Clear this clone's stale locks; raise :class:`StateError` naming any other lock.

    Only for the emulator: on a real account nothing is ever cleared automatically.
    """
    user, clone = this_user(), str(Path.cwd().resolve())
    for lock in find_locks(s3, bucket):
        if provably_stale(lock, record, user=user, clone=clone):
            s3.delete_object(Bucket=bucket, Key=lock.key)
            say(
                f"cleared a stale {lock.describe()}: left by this clone's run (pid {record.pid if record else '?'}), "
                "which ended without releasing it"
            )
            continue
        holder = f" by a run that is still going (pid {record.pid})" if record is not None and record.alive else ""
        raise StateError(
            f"the state is locked{holder}: {lock.describe()}. Fix: "
            + unlock_hint(lock, f"{output_dir}/stacks/{lock.stack}")
        )
