"""Docker build contexts and their content-hash tags, as plain values (no CDKTF).

An image's tag is a hash of its build context: a changed app or a changed
Fluent Bit config yields a new tag, hence a new task definition revision and
a rolling deploy; an unchanged one changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE
from firelens_cdktf.routing.compiler import CompiledRouting

#: Files never sent to Docker (and so not part of the hash).
_IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
_IGNORED_SUFFIXES = (".pyc", ".pyo")
#: Length of the hex tag; 16 hex digits (64 bits) never collide in one repository.
TAG_LENGTH = 16
#: The router image's stop wrapper (drain-then-stop.sh, shipped in this package): where it goes, and the
#: init image's own entrypoint it runs (aws/aws-for-fluent-bit scripts/dockerfiles/runtime/Dockerfile.init).
DRAIN_WRAPPER_NAME = "drain-then-stop.sh"
DRAIN_WRAPPER_PATH = "/fluent-bit/bin/drain-then-stop"
INIT_ENTRYPOINT = "/init/fluent_bit_init_entrypoint.sh"
#: Header of every generated file in the log router's context.
GENERATED_HEADER = "generated from the routes by firelens_cdktf (constructs.build_context) at synth; do not edit"


def read_context(directory: Path) -> dict[str, bytes]:
    """Every file of a build context directory: relative POSIX path -> bytes."""
    if not directory.is_dir():
        raise FileNotFoundError(f"build context {directory} does not exist; it must hold a Dockerfile")
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not _IGNORED_PARTS & set(path.parts) and not path.name.endswith(_IGNORED_SUFFIXES)
    }


def content_tag(files: Mapping[str, bytes]) -> str:
    """A tag that changes exactly when a file's path or bytes change."""
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:TAG_LENGTH]


def drain_wrapper() -> bytes:
    """The router image's stop wrapper: on SIGTERM, Fluent Bit first takes in what was already sent.

    See the script's own header for why and how; ``make run`` with the real
    router runs Fluent Bit through the same bytes.
    """
    return resources.files("firelens_cdktf.constructs").joinpath(DRAIN_WRAPPER_NAME).read_bytes()


def log_router_context(compiled: CompiledRouting, base_image: str = FLUENT_BIT_INIT_IMAGE) -> dict[str, bytes]:
    """The log router image's context: ``FROM`` the pinned init image, the compiled files and the stop wrapper."""
    copies = "\n".join(f"COPY {Path(path).name} {path}" for path in sorted(compiled.files))
    dockerfile = (
        f"# {GENERATED_HEADER}\n"
        "# AWS's init image: runs FireLens's generated config plus the extra config below.\n"
        f"FROM {base_image}\n{copies}\n"
        "# On SIGTERM, let Fluent Bit take in what the app already sent before it stops (see the script).\n"
        f"COPY {DRAIN_WRAPPER_NAME} {DRAIN_WRAPPER_PATH}\n"
        f"RUN chmod 0755 {DRAIN_WRAPPER_PATH}\n"
        f'CMD ["{DRAIN_WRAPPER_PATH}", "{INIT_ENTRYPOINT}"]\n'
    )
    files = {"Dockerfile": dockerfile.encode(), DRAIN_WRAPPER_NAME: drain_wrapper()}
    files.update({Path(path).name: text.encode() for path, text in compiled.files.items()})
    return files


def write_context(directory: Path, files: Mapping[str, bytes]) -> bool:
    """Make ``directory`` hold exactly ``files``; return whether anything changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = False
    for stale in set(read_context(directory)) - set(files):
        (directory / stale).unlink()
        changed = True
    for name, data in files.items():
        target = directory / name
        if not target.exists() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            changed = True
    return changed
