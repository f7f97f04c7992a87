"""`make run`'s command line: the cost volume setting and the numbered progress."""

from __future__ import annotations

import pytest

from firelens_harness.run import DEFAULT_VOLUME_GB, VOLUME_ENV, Steps, _volume_gb


def test_volume_defaults_to_one_terabyte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VOLUME_ENV, raising=False)
    assert _volume_gb(None) == DEFAULT_VOLUME_GB == 1000


def test_volume_comes_from_the_environment_unless_the_option_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VOLUME_ENV, "5000")
    assert (_volume_gb(None), _volume_gb("250")) == (5000, 250)


@pytest.mark.parametrize("raw", ["-3", "0", "lots", "inf", "nan"])
def test_fails_when_the_volume_is_not_a_positive_number(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VOLUME_ENV, raw)
    with pytest.raises(SystemExit, match=f"{VOLUME_ENV}='{raw}' is not a positive, finite number of GB a month"):
        _volume_gb(None)


def test_steps_are_numbered_out_of_the_total_and_name_the_current_one(capsys: pytest.CaptureFixture[str]) -> None:
    steps = Steps(7)
    steps.step("starting")
    steps.step("deploying")
    steps.detail("a\nb")
    assert capsys.readouterr().out == "[1/7] starting\n[2/7] deploying\n    a\n    b\n"
    assert steps.current == "step 2/7 (deploying)"


@pytest.mark.parametrize(
    ("module", "argv", "function", "target"),
    [
        ("firelens_harness.run", ["deploy"], "run", "make run"),
        ("firelens_harness.run", ["destroy"], "destroy", "make destroy"),
        ("firelens_harness.plan", [], "plan", "make plan"),
    ],
)
def test_ctrl_c_ends_with_one_line_that_says_how_the_lock_is_cleared(
    module: str,
    argv: list[str],
    function: str,
    target: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib

    loaded = importlib.import_module(module)

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # what Ctrl-C raises wherever the command is

    monkeypatch.setattr(loaded, function, interrupted)
    with pytest.raises(SystemExit) as stopped:
        loaded.main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert stopped.value.code == 130
    assert len(err) == 1 and err[0].startswith(f"{target}: interrupted.") and "make unlock" in err[0]
