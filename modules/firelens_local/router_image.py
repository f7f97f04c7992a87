"""The Fluent Bit of a built router image, runnable on this host as ``FLUENT_BIT``.

Where a Docker engine exists (GitHub's runners), the router image built from
``docker/firelens`` is the thing to test. The real-router mode
(:class:`firelens_local.fluent_bit.FluentBitRun`) runs a host binary in
private namespaces; this module turns the image into one:

1. ``docker create`` the image and ``docker export`` its filesystem to a tar;
2. :func:`unpack` takes from the tar what Fluent Bit needs (``/fluent-bit/``,
   the library folders), and writes a launcher, ``<dest>/fluent-bit``, that
   runs the image's ``/fluent-bit/bin/fluent-bit`` with the image's own
   libraries (OpenSSL, libyaml, ...) and this host's C library.

The image's binary is linked against its own, older glibc (Amazon Linux 2023:
2.34); a newer host glibc runs it (glibc keeps old symbol versions). The
image's C library itself is left out of the library folder: mixing this
host's loader with another glibc fails.

Command line::

    docker build -t firelens-router:ci docker/firelens
    docker export "$(docker create firelens-router:ci)" -o router.tar
    python -m firelens_local.router_image router.tar .tools/router-image
    FLUENT_BIT=.tools/router-image/fluent-bit ROUTER=fluent-bit make run
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

__all__ = ["BINARY_IN_IMAGE", "LIBRARY_FOLDERS", "unpack", "main"]

#: Where aws-for-fluent-bit images keep the binary (its Dockerfiles: ``/fluent-bit/bin/fluent-bit``).
BINARY_IN_IMAGE = "fluent-bit/bin/fluent-bit"
#: The folders of the image whose shared libraries the launcher offers.
LIBRARY_FOLDERS = ("lib64", "usr/lib64", "lib", "usr/lib", "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")
#: glibc's own libraries: this host's are used (its loader must meet its own C library).
_GLIBC = re.compile(
    r"^(ld-linux[^/]*|libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libnss_[a-z0-9_]+|libnsl|"
    r"libBrokenLocale|libmvec|libthread_db|libc_malloc_debug|libmemusage|libpcprofile)\.so(\.|$)"
)
_SHARED_LIBRARY = re.compile(r"\.so(\.[0-9.]+)?$")


def _wanted(name: str) -> bool:
    """A member of the tar the launcher needs: under ``fluent-bit/``, or directly in a library folder."""
    if name == "fluent-bit" or name.startswith("fluent-bit/"):
        return True
    folder = posixpath.dirname(name)
    return folder in LIBRARY_FOLDERS and bool(_SHARED_LIBRARY.search(name))


def _member_name(member: tarfile.TarInfo) -> str:
    """The member's path relative to the image's root (``docker export`` writes ``etc/...``, others ``./etc/...``)."""
    name = member.name
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath(name.lstrip("/") or ".")


def unpack(tar_path: Path, dest: Path, *, source: str | None = None) -> Path:
    """Unpack what Fluent Bit needs from exported image filesystem ``tar_path`` into ``dest``; the launcher.

    Absolute symlinks (``/usr/lib64/libssl.so.3 -> /usr/lib64/libssl.so.3.0.8``) are rewritten to point inside
    ``dest``; nothing is written outside it (tarfile's ``data`` filter checks every member).

    Raises:
        ValueError: the tar holds no ``/fluent-bit/bin/fluent-bit``.
    """
    rootfs = dest / "rootfs"
    if rootfs.exists():
        shutil.rmtree(rootfs)
    rootfs.mkdir(parents=True)
    with tarfile.open(tar_path) as archive:
        members = []
        for member in archive.getmembers():
            name = _member_name(member)
            if not _wanted(name) or not (member.isfile() or member.isdir() or member.issym()):
                continue
            member.name = name
            if member.issym() and member.linkname.startswith("/"):
                member.linkname = posixpath.relpath(member.linkname, "/" + posixpath.dirname(name))
            members.append(member)
        archive.extractall(rootfs, members=members, filter="data")
    binary = rootfs / BINARY_IN_IMAGE
    if not binary.is_file():
        raise ValueError(
            f"{tar_path}: no /{BINARY_IN_IMAGE} in this image's filesystem; export an image built FROM "
            "aws-for-fluent-bit (docker/firelens/Dockerfile), e.g. docker export $(docker create IMAGE) -o router.tar"
        )
    libraries = dest / "lib"
    if libraries.exists():
        shutil.rmtree(libraries)
    libraries.mkdir()
    for folder in LIBRARY_FOLDERS:
        for path in sorted((rootfs / folder).glob("*.so*")) if (rootfs / folder).is_dir() else ():
            target = libraries / path.name
            if _GLIBC.match(path.name) or target.exists() or not path.exists():  # first folder wins; no dangling
                continue
            target.symlink_to(os.path.relpath(path.resolve(), libraries))
    launcher = dest / "fluent-bit"
    launcher.write_text(
        "#!/bin/sh\n"
        f"# The Fluent Bit of {source or tar_path}, with the image's libraries and this host's C library\n"
        "# (written by python -m firelens_local.router_image).\n"
        f'LD_LIBRARY_PATH="{libraries.resolve()}" exec "{binary.resolve()}" "$@"\n'
    )
    launcher.chmod(0o755)
    return launcher


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m firelens_local.router_image",
        description="Make a router image's Fluent Bit runnable here: unpack an exported image filesystem "
        "(docker export) and write a launcher to pass as FLUENT_BIT.",
    )
    parser.add_argument("tar", type=Path, help="the image's filesystem: docker export $(docker create IMAGE) -o FILE")
    parser.add_argument("dest", type=Path, help="where to unpack; the launcher is DEST/fluent-bit")
    args = parser.parse_args(argv)
    try:
        launcher = unpack(args.tar, args.dest)
    except (OSError, ValueError, tarfile.TarError) as error:
        print(f"router_image: {error}", file=sys.stderr)
        return 2
    version = subprocess.run([launcher, "--version"], capture_output=True, text=True, check=False)
    first = (version.stdout or version.stderr).splitlines()[:1]
    if version.returncode != 0:
        print(f"router_image: {launcher} --version failed ({version.returncode}): {version.stderr[-2000:]}")
        return 1
    print(f"{launcher} ({first[0] if first else 'no version'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
