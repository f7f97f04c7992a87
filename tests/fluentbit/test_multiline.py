"""The multiline filter and engine: plugins/filter_multiline/ml.c, ml_concat.c and src/multiline/*.c (v4.2.2).

Java and Python stack traces come from tests/fixtures/fluentbit/stack_traces (raw app lines, as
``preview --container`` reads them); the other cases are built here. The preview reads lines as if they
arrived together (see :mod:`firelens_cdktf.fluentbit.filters.multiline`): a group is flushed when its rules end
it or a line of another kind arrives, and what is still buffered at the end is flushed then.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from simulation import ALL, pairs, section

from conftest import FIXTURES
from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import parse_config, parse_parsers
from firelens_cdktf.fluentbit.outcome import Outcome
from firelens_cdktf.fluentbit.preview_io import load_for_preview
from firelens_cdktf.fluentbit.records import Pairs
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator

TRACES = FIXTURES / "fluentbit" / "stack_traces"


def feed(simulator: Simulator, tag: str, records: list[Pairs]) -> list[Outcome]:
    """Every outcome, the end-of-input one included."""
    outcomes = [simulator.run(tag, record) for record in records]
    end = simulator.finish()
    return outcomes + ([end] if end is not None else [])


def logs(outcomes: list[Outcome]) -> list[list[str]]:
    """The ``log`` of each delivered copy, per outcome."""
    return [[str(d.record.last("log")) for d in o.deliveries] for o in outcomes]


def app_lines(path: Path, container: str) -> tuple[Simulator, list[Outcome]]:
    config, parsers = load_for_preview(str(TRACES / "extra.conf"))
    firelens = FirelensContext()
    simulator = Simulator(config, parsers, firelens=firelens)
    records = [firelens.wrap(container, line) for line in path.read_text().splitlines()]
    return simulator, feed(simulator, firelens.tag(container), records)


def test_a_java_stack_trace_becomes_one_record_delivered_with_the_line_after_it() -> None:
    # flb_ml_parser_java.c rules; flb_ml_append_object flushes the group when a line no rule takes arrives
    _, outcomes = app_lines(TRACES / "java.log", "java-api")
    joined = logs(outcomes)[8][0]
    assert joined.splitlines() == [
        "java.lang.IllegalStateException: user 1 has no profile",
        "\tat com.example.users.UserService.load(UserService.java:42)",
        "\tat com.example.users.UserController.show(UserController.java:17)",
        "Caused by: java.sql.SQLException: connection refused",
        "\tat org.postgresql.Driver.connect(Driver.java:285)",
        "\t... 12 more",
    ]
    assert [len(o.deliveries) for o in outcomes] == [1, 1, 0, 0, 0, 0, 0, 0, 2]


def test_lines_waiting_in_a_group_are_reported_as_held() -> None:
    _, outcomes = app_lines(TRACES / "java.log", "java-api")
    assert [s.kind for s in outcomes[2].stops] == ["held"]


def test_a_python_traceback_is_flushed_at_its_exception_line() -> None:
    # flb_ml_parser_python.c: the last rule goes back to start_state, so try_flushing_buffer flushes at once
    _, outcomes = app_lines(TRACES / "python.log", "py-worker")
    assert logs(outcomes)[6] == [
        'Traceback (most recent call last):\n  File "/app/worker.py", line 12, in <module>\n    main()\n'
        '  File "/app/worker.py", line 8, in main\n    raise ValueError("bad payload")\nValueError: bad payload'
    ]


def test_the_joined_record_keeps_the_first_lines_other_keys_and_passes_firelens_again() -> None:
    # flush_callback re-emits through the emitter: every filter runs again, FireLens's included
    _, outcomes = app_lines(TRACES / "python.log", "py-worker")
    record = outcomes[6].deliveries[0].record
    assert (record.keys()[:4], record.keys().count("ecs_cluster")) == (
        ("container_id", "container_name", "source", "log"),
        2,
    )


def test_a_group_still_open_at_the_end_is_flushed_at_the_end_of_the_input() -> None:
    simulator = Simulator(
        parse_config(section("multiline", "multiline.key_content log", "multiline.parser python") + ALL),
        {},
        firelens=None,
    )
    outcomes = feed(
        simulator,
        "t",
        [pairs('{"log":"Traceback (most recent call last):"}'), pairs('{"log":"  File \\"x.py\\", line 1"}')],
    )
    assert (outcomes[-1].end_of_input, logs(outcomes)[-1]) == (
        True,
        ['Traceback (most recent call last):\n  File "x.py", line 1'],
    )


def test_each_tag_is_its_own_stream() -> None:
    simulator = Simulator(
        parse_config(section("multiline", "multiline.key_content log", "multiline.parser python") + ALL),
        {},
        firelens=None,
    )
    simulator.run("a", pairs('{"log":"Traceback (most recent call last):"}'))
    outcome = simulator.run("b", pairs('{"log":"  File \\"x.py\\", line 1"}'))
    assert logs([outcome]) == [['  File "x.py", line 1']]  # not a continuation of stream "a"


@pytest.mark.parametrize(
    ("parser", "lines", "joined"),
    [
        (
            "go",
            ["panic: boom", "", "goroutine 1 [running]:", "main.main()", "\t/app/main.go:5 +0x1d", "exit"],
            "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d",
        ),
        (
            "ruby",
            ["app.rb:3:in `boom': failed (RuntimeError)", "\tfrom app.rb:7:in `<main>'", "next"],
            "app.rb:3:in `boom': failed (RuntimeError)\n\tfrom app.rb:7:in `<main>'",
        ),
    ],
)
def test_go_and_ruby_traces_join(parser: str, lines: list[str], joined: str) -> None:
    simulator = Simulator(
        parse_config(section("multiline", "multiline.key_content log", f"multiline.parser {parser}") + ALL),
        {},
        firelens=None,
    )
    outcomes = feed(simulator, "t", [Pairs((("log", line),)) for line in lines])
    assert joined in [log for per in logs(outcomes) for log in per]


def test_docker_mode_joins_partial_docker_lines_until_one_ends_with_a_newline() -> None:
    # flb_ml_parser_docker.c: the log key holds docker JSON; ENDSWITH "\n" flushes
    simulator = Simulator(parse_config(section("multiline", "multiline.parser docker") + ALL), {}, firelens=None)
    lines = [
        '{"log":"one, ","stream":"stdout","time":"2021-02-01T01:40:03.53413Z"}',
        '{"log":"two\\n","stream":"stdout","time":"2021-02-01T01:40:03.53414Z"}',
    ]
    outcomes = feed(simulator, "t", [Pairs((("log", line),)) for line in lines])
    assert [d.record for o in outcomes for d in o.deliveries] == [
        pairs('{"log":"one, two\\n","stream":"stdout","time":"2021-02-01T01:40:03.53413Z"}')
    ]


def test_cri_mode_joins_p_lines_until_an_f_line() -> None:
    # flb_ml_parser_cri.c: regex parser, EQUAL "F" on the _p key
    simulator = Simulator(parse_config(section("multiline", "multiline.parser cri") + ALL), {}, firelens=None)
    lines = ["2024-05-12T03:04:05.1+00:00 stdout P part one ", "2024-05-12T03:04:05.2+00:00 stdout F part two"]
    outcomes = feed(simulator, "t", [Pairs((("log", line),)) for line in lines])
    assert [d.record for o in outcomes for d in o.deliveries] == [
        pairs('{"time":"2024-05-12T03:04:05.1+00:00","stream":"stdout","_p":"P","log":"part one part two"}')
    ]


def test_a_multiline_parser_from_a_parsers_file_joins_by_its_rules() -> None:
    parsers = parse_parsers(
        "[MULTILINE_PARSER]\n"
        "    name          dated\n"
        "    type          regex\n"
        "    flush_timeout 1000\n"
        '    rule          "start_state"  "/^\\d{4}-\\d{2}-\\d{2} /"  "cont"\n'
        '    rule          "cont"         "/^\\s+/"                  "cont"\n'
    )
    config = parse_config(section("multiline", "multiline.key_content log", "multiline.parser dated") + ALL)
    outcomes = feed(
        Simulator(config, parsers, firelens=None),
        "t",
        [Pairs((("log", line),)) for line in ["2024-05-12 boom", "  detail", "2024-05-12 next"]],
    )
    assert logs(outcomes) == [[], [], ["2024-05-12 boom\n  detail"], ["2024-05-12 next"]]


def test_partial_message_mode_joins_split_docker_messages_in_the_same_pass() -> None:
    # ml_filter_partial: the last part completes the record, which goes on from this filter
    config = parse_config(section("multiline", "Mode partial_message", "multiline.key_content log") + ALL)
    simulator = Simulator(config, {}, firelens=None)
    first = pairs(
        '{"log":"one ","partial_message":"true","partial_id":"p1","partial_ordinal":"1",'
        '"partial_last":"false","source":"stdout"}'
    )
    last = pairs(
        '{"log":"two","partial_message":"true","partial_id":"p1","partial_ordinal":"2",'
        '"partial_last":"true","source":"stdout"}'
    )
    outcomes = feed(simulator, "t", [first, last, pairs('{"log":"whole"}')])
    assert [[d.record for d in o.deliveries] for o in outcomes] == [
        [],
        [pairs('{"source":"stdout","log":"one two"}')],
        [pairs('{"log":"whole"}')],
    ]


def test_a_parser_without_a_key_to_read_joins_nothing() -> None:
    # process_append: java has no key_content of its own, so every record passes alone
    simulator = Simulator(parse_config(section("multiline", "multiline.parser java") + ALL), {}, firelens=None)
    outcomes = feed(simulator, "t", [pairs('{"log":"java.lang.Error: x"}'), pairs('{"log":"\\tat a.b(c.java:1)"}')])
    assert logs(outcomes) == [["java.lang.Error: x"], ["\tat a.b(c.java:1)"]]


def test_buffer_off_is_reported_not_guessed() -> None:
    simulator = Simulator(
        parse_config(section("multiline", "Buffer Off", "multiline.key_content log", "multiline.parser java") + ALL),
        {},
        firelens=None,
    )
    assert "Buffer off" in simulator.run("t", pairs('{"log":"x"}')).notes[0].message


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (("multiline.parser nosuch",), "is not registered"),
        (("multiline.parser java", "flush_ms 100"), "below 500"),
        (("Mode partial_message",), "needs multiline.key_content"),
        (("Mode other", "multiline.parser java"), "neither parser nor partial_message"),
        (("multiline.key_content log",), "at least one multiline.parser"),
    ],
)
def test_fails_on_settings_fluent_bit_refuses(lines: tuple[str, ...], problem: str) -> None:
    with pytest.raises(FluentBitSyntaxError, match=problem):
        Simulator(parse_config(section("multiline", *lines) + ALL), {}, firelens=None)
