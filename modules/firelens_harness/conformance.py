"""The preview against real Fluent Bit on the project's own fixture corpus, and the recordings the pure tier keeps.

Each case is a config of the corpus (``tests/fixtures``) with the lines its
app containers write. Fluent Bit 4.2.2 runs it as the FireLens log router
(:class:`firelens_local.fluent_bit.FluentBitRun`, FireLens's generated config
around it, fed as Docker's fluentd driver feeds FireLens), with one change:
every ``[OUTPUT]`` becomes a ``file`` output of the same name (``Format
plain``: one JSON record per line), so what each output *receives* is
recorded without AWS; the outputs' own limits are the preview's other tests'
business. The preview runs the unchanged config over the same lines.

Recording (as root, with a binary)::

    python -m firelens_harness.conformance record --fluent-bit /path/to/fluent-bit

writes ``tests/fixtures/fluentbit/recorded/<case>/<output>.jsonl`` and a
``RECORDED.md`` that says with what, when and how. The pure tier compares the
preview with those files; the fluentbit tier records again and compares.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from firelens_app.paths import PROJECT_ROOT
from firelens_cdktf.fluentbit.config import FluentBitConfig, Section, parse_config
from firelens_cdktf.fluentbit.output_limits import fluent_bit_json
from firelens_cdktf.fluentbit.preview_io import load_for_preview
from firelens_cdktf.fluentbit.records import decode_json, encode_json
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator
from firelens_local.emulator import Emulator, free_port
from firelens_local.fluent_bit import FluentBitRun
from firelens_local.forward import ForwardClient

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
RECORDED = FIXTURES / "fluentbit" / "recorded"
#: The task every case runs as: the fixture records' task id, so their tags match.
TASK_ID = "0123456789abcdef0123456789abcdef"
#: Seconds to wait after the last line before stopping: a multiline buffer flushes after its
#: flush_timeout (default 2 s, plugins/filter_multiline/ml.c), and the emitters every 25 ms.
SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class Case:
    """One config of the corpus and the stdout lines of its app containers.

    Attributes:
        name: Folder name of the recording.
        config: The config (``extra.conf``).
        parsers: Its parsers files (the config names them under /fluent-bit/etc/).
        inputs: ``(container, lines)`` in the order they are sent.
    """

    name: str
    config: Path
    parsers: tuple[Path, ...]
    inputs: tuple[tuple[str, tuple[str, ...]], ...]


def _lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


def _records_by_container(path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The ``log`` values of a records.jsonl fixture, grouped by the container its tag names."""
    by_container: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        container = item["tag"].split("-firelens-")[0]
        by_container.setdefault(container, []).append(item["record"]["log"])
    return tuple((c, tuple(lines)) for c, lines in by_container.items())


def corpus() -> tuple[Case, ...]:
    """The cases: the article's config and the compiled one on the sample app's lines, a two-container
    task with typed parsers and grep, and Java and Python stack traces joined by multiline."""
    rails = _lines(FIXTURES / "records" / "rails_app_stdout.log")
    traces = FIXTURES / "fluentbit" / "stack_traces"
    return (
        Case(
            "article",
            FIXTURES / "article" / "extra.conf",
            (FIXTURES / "article" / "parsers_json.conf",),
            (("rails-app", rails),),
        ),
        Case(
            "compiled",
            FIXTURES / "compiled" / "extra.conf",
            (FIXTURES / "compiled" / "parsers_json.conf",),
            (("rails-app", rails),),
        ),
        Case(
            "multi_container",
            FIXTURES / "fluentbit" / "multi_container" / "extra.conf",
            (FIXTURES / "fluentbit" / "multi_container" / "parsers.conf",),
            _records_by_container(FIXTURES / "fluentbit" / "multi_container" / "records.jsonl"),
        ),
        Case(
            "stack_traces",
            traces / "extra.conf",
            (),
            (("java-api", _lines(traces / "java.log")), ("py-worker", _lines(traces / "python.log"))),
        ),
    )


def _file_outputs(config_text: str, config: FluentBitConfig, out_dir: Path) -> str:
    """``config_text`` with each ``[OUTPUT]`` replaced by a ``file`` output of the same name and Match."""
    outputs = iter(config.outputs)
    blocks = re.split(r"(?m)^(?=\s*\[)", config_text)
    out = []
    for block in blocks:
        if re.match(r"\s*\[OUTPUT\]", block, re.IGNORECASE):
            section: Section = next(outputs)
            match = [f"    Match_Regex {section.get('Match_Regex')}"] if section.get("Match_Regex") else []
            match += [f"    Match {section.get('Match')}"] if section.get("Match") else []
            out.append(
                "\n".join(
                    [
                        "[OUTPUT]",
                        "    Name file",
                        *match,
                        f"    Path {out_dir}",
                        f"    File {config.output_name(section)}.jsonl",
                        "    Format plain",
                        "",
                        "",
                    ]
                )
            )
        else:
            out.append(block)
    return "".join(out)


def _firelens() -> FirelensContext:
    return FirelensContext(task_id=TASK_ID)


def record(binary: Path, case: Case) -> dict[str, list[str]]:
    """What real Fluent Bit writes to each output of ``case``: output name -> the JSON lines it received."""
    config = parse_config(case.config.read_text(encoding="utf-8"), source=str(case.config))
    with tempfile.TemporaryDirectory(prefix=f"conformance-{case.name}-") as tmp:
        router_dir, out_dir = Path(tmp) / "etc", Path(tmp) / "out"
        router_dir.mkdir()
        out_dir.mkdir()
        (router_dir / "extra.conf").write_text(
            _file_outputs(case.config.read_text(encoding="utf-8"), config, out_dir), encoding="utf-8"
        )
        for parsers in case.parsers:
            (router_dir / parsers.name).write_text(parsers.read_text(encoding="utf-8"), encoding="utf-8")
        with FluentBitRun(
            binary=binary,
            router_dir=router_dir,
            firelens=_firelens(),
            region="ap-northeast-1",
            emulator=Emulator(free_port()),
        ) as run:
            with ForwardClient(run.socket_path) as client:
                for container, lines in case.inputs:
                    client.send_lines(run.firelens, container, lines)
            time.sleep(SETTLE_SECONDS)
            run.stop()
            run.wait(60)
        return {
            p.name.removesuffix(".jsonl"): p.read_text(encoding="utf-8").splitlines()
            for p in sorted(out_dir.glob("*.jsonl"))
        }


def preview(case: Case) -> dict[str, list[str]]:
    """What the preview says each output of ``case`` receives, as the JSON lines an output writes
    (:func:`~firelens_cdktf.fluentbit.output_limits.fluent_bit_json`: non-ASCII escaped, as Fluent Bit's
    ``json.escape_unicode`` default writes it)."""
    config, parsers = load_for_preview(str(case.config), [str(p) for p in case.parsers])
    firelens = _firelens()
    simulator = Simulator(config, parsers, firelens=firelens)
    received: dict[str, list[str]] = {}
    number = 0
    for container, lines in case.inputs:
        for line in lines:
            number += 1
            for record in firelens.wrap_line(container, line, number):
                for delivery in simulator.run(firelens.tag(container), record).deliveries:
                    received.setdefault(delivery.output, []).append(fluent_bit_json(delivery.json))
    end = simulator.finish()
    for delivery in end.deliveries if end is not None else ():
        received.setdefault(delivery.output, []).append(fluent_bit_json(delivery.json))
    return received


def normalized(received: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Each output's records re-encoded the one way (key order kept), so formatting alone never differs."""
    return {
        name: [encode_json(decode_json(line)) if line.startswith("{") else line for line in lines]
        for name, lines in received.items()
        if lines
    }


def load_recorded(case: Case) -> dict[str, list[str]]:
    """The committed recording of ``case``."""
    folder = RECORDED / case.name
    return {
        p.name.removesuffix(".jsonl"): p.read_text(encoding="utf-8").splitlines()
        for p in sorted(folder.glob("*.jsonl"))
    }


def _write(binary: Path) -> None:
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    version = (version.splitlines() or ["?"])[0]
    for case in corpus():
        folder = RECORDED / case.name
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.jsonl"):
            stale.unlink()
        for name, lines in record(binary, case).items():
            (folder / f"{name}.jsonl").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        print(f"recorded {case.name}: {sorted(p.name for p in folder.glob('*.jsonl'))}")
    (RECORDED / "RECORDED.md").write_text(
        "# What real Fluent Bit delivered for the fixture corpus\n\n"
        f"Recorded on {datetime.now(UTC).date().isoformat()} with {version} (built from fluent/fluent-bit at "
        "v4.2.2), by\n\n"
        "    python -m firelens_harness.conformance record --fluent-bit /path/to/fluent-bit\n\n"
        "as root (the router runs in private namespaces). Each case of `firelens_harness.conformance.corpus()`\n"
        "ran as the FireLens log router with FireLens's generated config around it, every `[OUTPUT]` turned\n"
        "into a `file` output of the same name (`Format plain`), fed the case's lines as Docker's fluentd\n"
        "driver feeds FireLens (task id " + TASK_ID + "). One file per output: the JSON records it\n"
        "received, in order. The pure tier checks the preview against these files\n"
        "(tests/fluentbit/test_conformance.py); the fluentbit tier records again and compares.\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m firelens_harness.conformance", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="run every case with real Fluent Bit and write the recordings")
    rec.add_argument("--fluent-bit", type=Path, required=True, help="the fluent-bit binary (4.2.2)")
    args = parser.parse_args(argv)
    _write(args.fluent_bit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
