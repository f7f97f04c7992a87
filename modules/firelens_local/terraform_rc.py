"""Write the project's own Terraform CLI configuration.

Terraform cannot reach its registry on every machine (CI and the developers'
machines here cannot), but some machines hold a provider *filesystem mirror*.
The project's commands point ``TF_CLI_CONFIG_FILE`` at the file written here,
never at the user's ``~/.terraformrc``:

* a mirror exists: providers found in it are installed from it, every other
  provider comes from the registry as usual;
* no mirror: an empty configuration, so the registry is used (and a user's
  global settings do not leak into the project's runs).

Run as ``python -m firelens_local.terraform_rc OUT_FILE`` (standard library only,
so it works before the project's virtualenv exists).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Where provider mirrors are commonly kept; ``TF_PROVIDER_MIRROR`` overrides.
MIRROR_CANDIDATES: tuple[str, ...] = (
    "/opt/tf-plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "~/.terraform.d/plugins",
)


def find_mirror(candidates: tuple[str, ...] = MIRROR_CANDIDATES) -> Path | None:
    """Return the first directory that holds ``<host>/<namespace>/<type>`` provider trees."""
    override = os.environ.get("TF_PROVIDER_MIRROR")
    for raw in ([override] if override else []) + list(candidates):
        path = Path(raw).expanduser()
        if path.is_dir() and any(p.is_dir() for p in path.glob("*/*/*")):
            return path
    return None


def mirrored_providers(mirror: Path) -> list[str]:
    """Provider addresses (``registry.terraform.io/hashicorp/aws``) the mirror holds."""
    return sorted(
        "/".join(p.relative_to(mirror).parts)
        for p in mirror.glob("*/*/*")
        if p.is_dir() and any(v.is_dir() for v in p.iterdir())
    )


def render(mirror: Path | None) -> str:
    """The CLI configuration text for ``mirror`` (``None``: registry only)."""
    header = "# Written by modules/firelens_local/terraform_rc.py; regenerate, do not edit.\n"
    if mirror is None:
        return header + "# No provider mirror on this machine: providers come from the registry.\n"
    providers = mirrored_providers(mirror)
    quoted = ", ".join(f'"{p}"' for p in providers)
    return (
        header
        + "provider_installation {\n"
        + "  filesystem_mirror {\n"
        + f'    path    = "{mirror}"\n'
        + f"    include = [{quoted}]\n"
        + "  }\n"
        + "  direct {\n"
        + f"    exclude = [{quoted}]\n"
        + "  }\n"
        + "}\n"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m firelens_local.terraform_rc OUT_FILE", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    text = render(find_mirror())
    if not out.exists() or out.read_text() != text:
        out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
