"""A router run's folder: what its private mount namespace shows Fluent Bit, and the script that mounts it.

:class:`~firelens_local.fluent_bit.FluentBitRun` runs Fluent Bit inside
``unshare --mount --net`` (``unshare`` makes the new namespace's mounts
private, so nothing reaches the host). The folder holds everything the
router sees that is not the host's, and ``start.sh`` binds each part where
the router image and FireLens put it:

============================  ===================================================================
inside the run                in the folder
============================  ===================================================================
``/fluent-bit/etc``           ``etc/``: FireLens's generated ``fluent-bit.conf``
                              (:mod:`firelens_local.firelens_config`; FireLens mounts it there:
                              aws/amazon-ecs-agent agent/api/task/task.go
                              ``firelensConfigBindFormatFluentbit``) beside a link to each file of
                              the router's folder, whose bytes are never copied or changed
``/var/run``                  ``run/``: the task's socket folder (task.go ``firelensSocketBindFormat``),
                              where FireLens's input makes ``fluent.sock``
``/etc/hosts``                ``hosts``: the region's AWS hostnames at the run's proxy address
``/etc/ssl/certs``            ``tls/certs/``: the run CA alone (:mod:`firelens_local.run_ca`)
the config's ``storage.path`` ``storage/``, when the config sets one: runs never share buffered
                              chunks, and the host's folder is never read or written
============================  ===================================================================

A mount point that does not exist (``/fluent-bit/etc``, say) is created on
the host as an empty folder and left there: removing it could unmount it in
a run still going. ``fluent-bit.log`` takes the router's output, ``start.log``
the script's own errors.

Example::

    folder = write_run_folder(Path("/tmp/run"), binary=..., router_dir=Path("docker/firelens"),
                              firelens=FirelensContext(), region="ap-northeast-1")
    print(folder.script.read_text())
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from firelens_cdktf.fluentbit.config import FluentBitConfig, load_config
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.emulator import FAKE_CREDENTIALS
from firelens_local.firelens_config import FIRELENS_CONFIG_PATH, FIRELENS_ETC, FIRELENS_SOCKET_PATH, firelens_config
from firelens_local.run_ca import RunCertificates, aws_hostnames, make_run_certificates

__all__ = [
    "AWS_ADDRESS",
    "UNIX_PATH_MAX",
    "RunFolder",
    "read_run_config",
    "router_environment",
    "write_run_folder",
]

#: Where the AWS hostnames resolve inside a run: a loopback address of the run's own network namespace.
AWS_ADDRESS = "127.0.0.5"
#: ``sizeof(sun_path)`` on Linux (man 7 unix), terminating NUL included.
UNIX_PATH_MAX = 108


@dataclass(frozen=True)
class RunFolder:
    """The paths of a run's folder (see the module's docstring).

    Attributes:
        root: The folder.
        certificates: The run CA's files, under ``tls/``.
    """

    root: Path
    certificates: RunCertificates

    @property
    def etc(self) -> Path:
        """What the run sees as ``/fluent-bit/etc``."""
        return self.root / "etc"

    @property
    def socket_path(self) -> Path:
        """The host path of the run's ``/var/run/fluent.sock``: what a feed connects to."""
        return self.root / "run" / Path(FIRELENS_SOCKET_PATH).name

    @property
    def storage(self) -> Path:
        """What the run sees at the config's ``storage.path`` (empty when the config sets none)."""
        return self.root / "storage"

    @property
    def log(self) -> Path:
        """The router's output."""
        return self.root / "fluent-bit.log"

    @property
    def start_log(self) -> Path:
        """``start.sh``'s own errors (a mount that failed, say)."""
        return self.root / "start.log"

    @property
    def script(self) -> Path:
        """The script that mounts the folder and starts the router, run inside the namespaces."""
        return self.root / "start.sh"


def read_run_config(etc: Path) -> FluentBitConfig:
    """The whole config a run's router reads: FireLens's generated file and what it includes from there."""
    return load_config(
        str(etc / Path(FIRELENS_CONFIG_PATH).name),
        resolve=lambda name, _base: str(etc / Path(name).name) if name.startswith(FIRELENS_ETC) else None,
    )


def write_run_folder(
    root: Path,
    *,
    binary: Path,
    router_dir: Path,
    firelens: FirelensContext,
    region: str,
    config_file: str = "extra.conf",
    wrapper: Path | None = None,
    memory_reservation_mib: int | None = None,
    aws_address: str = AWS_ADDRESS,
) -> RunFolder:
    """Write a run's folder at ``root``: links, the generated config, hosts, the run CA and ``start.sh``.

    ``start.sh`` mounts, prints ``ready``, waits for a ``start`` line on its
    stdin (the harness sets up the network namespace meanwhile: loopback up,
    the proxy listening), then runs ``binary -c /fluent-bit/etc/fluent-bit.conf``,
    through ``sh wrapper`` when one is given, its output to :attr:`RunFolder.log`.

    Raises:
        ValueError: ``router_dir`` lacks ``config_file`` or holds a ``fluent-bit.conf`` (FireLens's
            generated config takes that name), or the socket path would be too long for a unix socket.
    """
    root = root.resolve()
    if not (router_dir / config_file).is_file():
        raise ValueError(f"router_dir={str(router_dir)!r} holds no {config_file}")
    if (router_dir / Path(FIRELENS_CONFIG_PATH).name).exists():
        raise ValueError(
            f"router_dir={str(router_dir)!r} holds a fluent-bit.conf, the name FireLens mounts its generated "
            "config at; rename the router's config (config_file=)"
        )
    socket_path = root / "run" / Path(FIRELENS_SOCKET_PATH).name
    if len(str(socket_path)) >= UNIX_PATH_MAX:
        raise ValueError(
            f"run folder {str(root)!r}: its socket path would pass the {UNIX_PATH_MAX - 1} characters a unix "
            "socket path may have (man 7 unix); choose a shorter folder"
        )
    certificates = make_run_certificates(root / "tls", hostnames=aws_hostnames(region), addresses=(aws_address,))
    folder = RunFolder(root, certificates)
    for part in (folder.etc, folder.socket_path.parent, folder.storage):
        part.mkdir(parents=True, exist_ok=True)
    for entry in sorted(router_dir.resolve().iterdir()):
        link = folder.etc / entry.name
        if not link.is_symlink():
            link.symlink_to(entry)
    (folder.etc / Path(FIRELENS_CONFIG_PATH).name).write_text(
        firelens_config(firelens, f"{FIRELENS_ETC}/{config_file}", memory_reservation_mib=memory_reservation_mib)
    )
    hosts = folder.root / "hosts"
    hosts.write_text(f"127.0.0.1 localhost\n::1 localhost\n{aws_address} {' '.join(aws_hostnames(region))}\n")

    binds = [
        (folder.etc, FIRELENS_ETC),
        (folder.socket_path.parent, str(Path(FIRELENS_SOCKET_PATH).parent)),
        (hosts, "/etc/hosts"),
        (folder.certificates.trust_dir, "/etc/ssl/certs"),
    ]
    storage_path = read_run_config(folder.etc).service_setting("storage.path")
    if storage_path:
        binds.append((folder.storage, storage_path.rstrip("/") or "/"))
    command = [str(binary.resolve()), "-c", FIRELENS_CONFIG_PATH]
    if wrapper is not None:
        command = ["/bin/sh", str(wrapper.resolve()), *command]
    lines = [
        "# Written by firelens_local.run_folder; runs inside `unshare --mount --net` (private mounts and network).",
        "set -eu",
    ]
    for source, target in binds:
        test, make = ("-d", "mkdir -p") if source.is_dir() else ("-e", "touch")
        lines.append(f"[ {test} {shlex.quote(target)} ] || {make} {shlex.quote(target)}  # a mount point, if missing")
        lines.append(f"mount --bind {shlex.quote(str(source))} {shlex.quote(target)}")
    lines += [
        "echo ready",
        "read -r go || exit 3  # the harness sets up the network meanwhile: loopback up, the proxy listening",
        '[ "$go" = start ] || exit 3',
        f"exec >{shlex.quote(str(folder.log))} 2>&1 </dev/null",
        "exec " + " ".join(shlex.quote(part) for part in command),
    ]
    folder.script.write_text("\n".join(lines) + "\n")
    return folder


def router_environment(
    firelens: FirelensContext, region: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What the router sees: the emulator's fake credentials (Fluent Bit's first credential provider),
    the values AWS's init image exports (aws/aws-for-fluent-bit init/fluent_bit_init_process.go), and
    ``extra``; nothing else of this process (no ``AWS_ENDPOINT_URL``: the outputs find "AWS" by DNS)."""
    family, _, revision = firelens.task_definition.partition(":")
    return {
        "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
        **FAKE_CREDENTIALS,
        "AWS_REGION": region,
        "ECS_CLUSTER": firelens.cluster,
        "ECS_TASK_ARN": firelens.task_arn,
        "ECS_TASK_ID": firelens.task_id,
        "ECS_FAMILY": family,
        "ECS_REVISION": revision,
        "ECS_TASK_DEFINITION": firelens.task_definition,
        "ECS_LAUNCH_TYPE": "FARGATE",
        "FLB_AWS_USER_AGENT": "ecs-init",
        **(extra or {}),
    }
