"""This repository's dev harness: ``make run``, ``make plan``, ``make query``, ``make scan``.

It drives this project's app (:mod:`firelens_app`) on the local emulator with
:mod:`firelens_local`, checks every delivered record against the preview, and
reports the cost. Not part of the wheel: it reads this checkout's files.
"""
