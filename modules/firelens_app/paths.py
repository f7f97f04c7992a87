"""Where this repository's own files are, for the tooling that runs from a checkout.

The library needs none of these; the stacks of this project's app, ``make
run``, the scan and the benchmark read the Docker build contexts and the
allowlist that live beside ``main.py``.
"""

from __future__ import annotations

from pathlib import Path

#: The checkout: ``modules/firelens_app/paths.py`` is two levels below it.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: The images' build contexts (``docker/app``, ``docker/firelens``, ``docker/postgres``).
DOCKER_DIR = PROJECT_ROOT / "docker"
