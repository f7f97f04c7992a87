"""This project's app: the article's pipeline, built only from firelens_cdktf's public API.

- :mod:`.config`: which environment (stage, region, state bucket);
- :mod:`.routing`: the article's routes;
- :mod:`.sql_logs`: the archive's columns and saved queries for its SQL logs;
- :mod:`.stacks`: the ``state``, ``pipeline`` and ``images`` stacks ``main.py`` wires;
- :mod:`.paths`: where this checkout keeps ``docker/``.

Not part of the wheel: it reads this checkout's files.
"""
