"""The preview's fast paths give what its general paths give, on inputs chosen to trip them.

Each fast path (numbers the JSON reader knows from earlier lines, the
table's common row) is compared with the path it shortcuts, value for
value and byte for byte.
"""

from __future__ import annotations

import io
import math

import pytest

from conftest import FIXTURES
from firelens_cdktf.fluentbit.parsers import MapReader, parse_json_object
from firelens_cdktf.fluentbit.preview_input import line_reader
from firelens_cdktf.fluentbit.preview_io import TableWriter, load_for_preview
from firelens_cdktf.fluentbit.records import encode_json
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator

#: The compiled default config: FireLens's filter, the partial_message join, the json parser, two routes.
COMPILED_CONFIG = FIXTURES / "compiled" / "extra.conf"

#: Map texts without arrays whose numbers are written back as read, or not (-0, 1.50, 0.087, 1e5, beyond 64 bits).
NUMBER_TEXTS = [
    '{"a":1,"b":-1,"c":0,"d":200}',
    '{"i":-0}',
    '{"i":0,"j":-0,"k":0}',
    '{"f":1.50}',
    '{"f":1.5}',
    '{"f":0.087}',
    '{"f":1e5}',
    '{"f":1e+16}',
    '{"f":1e-05}',
    '{"f":2.0,"g":-0.0,"h":0.0}',
    '{"i":18446744073709551615,"j":18446744073709551616,"k":-9223372036854775809}',
    '{"i":9223372036854775807,"j":-9223372036854775808}',
    '{"n":{"a":1.301,"b":{"c":-0,"d":33.07}},"m":1.301}',
    '{"a": 1.5, "b" : -0}',
    '{"a":1,"a":1.50,"a":-0}',
]


def _same(left: object, right: object) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0 differ here; so do 0.0 and -0.0)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, tuple):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))  # type: ignore[arg-type]
    if isinstance(left, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)  # type: ignore[arg-type]
    return left == right


@pytest.mark.parametrize("text", NUMBER_TEXTS)
def test_a_reader_that_met_the_numbers_before_reads_them_as_a_new_reader_does(text: str) -> None:
    warm = MapReader()
    for other in NUMBER_TEXTS:  # every number of every text met once, in both orders
        warm.raw_decode(other)
    for other in reversed(NUMBER_TEXTS):
        warm.raw_decode(other)
    fresh = MapReader()
    expected, expected_end = fresh.raw_decode(text)
    got, end = warm.raw_decode(text)
    assert _same(got, expected) and end == expected_end
    assert warm.numbers_as_written is fresh.numbers_as_written
    # and both read what the json parser format reads
    assert _same(got, parse_json_object(text))


def test_numbers_written_otherwise_are_never_taken_for_written_as_read() -> None:
    reader = MapReader()
    for _ in range(3):
        reader.raw_decode('{"i":-0,"f":1.50,"g":0.087,"h":1e5}')
        assert reader.numbers_as_written is False
        reader.raw_decode('{"i":0,"f":1.5,"g":0.5,"h":100000}')
        assert reader.numbers_as_written is True


def test_a_number_too_large_for_a_double_is_refused_each_time() -> None:
    reader = MapReader()
    for _ in range(2):
        with pytest.raises(ValueError):
            reader.raw_decode('{"f":1e999}')
        assert parse_json_object('{"f":1e999}') is None


def test_the_reader_keeps_a_bounded_number_of_texts() -> None:
    reader = MapReader()
    for value in range(20_000):
        got, _ = reader.raw_decode(f'{{"i":{value},"f":{value}.5}}')
        assert encode_json(got) == f'{{"i":{value},"f":{value}.5}}'  # type: ignore[arg-type]
    # the reader's own caches: what keeps memory flat on any input
    assert len(reader._ints) <= 8_192 and len(reader._floats) <= 8_192


#: App lines that trip the table's common row: repeated keys, numbers written otherwise, no JSON, bytes that are
#: not UTF-8, arrays, nested maps, labels cut at the table's width, a record too large for its output.
TABLE_LINES = [
    '{"name":"ActiveRecord","level":"debug","message":"User Load","duration_ms":0.087}',
    '{"name":"Rack","level":"info","message":"x","name":"Rack","level":"warn"}',
    '{"name":"UsersController","level":"info","message":"Completed","i":-0,"f":1.50,"e":1e5}',
    '{"name":"PostsController","level":"info","message":"labelled","payload":{"label":"post_list","n":[1,2]}}',
    '{"name":"PostsController","level":"info","message":"labelled","payload":{"label":"' + "x" * 90 + '"}}',
    '{"name":"a","level":"info","message":"caf\u00e9 \udc80","payload":{"label":"l\udc81"}}',
    '{"name":"a","level":"info","message":"m","payload":{"data":{"deep":{"a":null}}},"log":null}',
    '{"name":1,"level":"info","message":"a number as name"}',
    '{"message":"no name"}',
    '{"a": 1, "b" : "spaced"}',
    "=> Booting Puma",
    "not json \udc80",
    '{"name":"ActiveRecord","level":"debug","message":"' + "s" * 1_100_000 + '"}',
    "{}",
    "",
]


def test_the_tables_common_row_is_what_its_general_path_writes() -> None:
    config, parsers = load_for_preview(str(COMPILED_CONFIG))
    simulator = Simulator(config, parsers)
    read = line_reader(container="rails-app", firelens=FirelensContext())
    fast, general = io.StringIO(), io.StringIO()
    fast_table = TableWriter(fast, simulator.output_names)
    general_table = TableWriter(general, simulator.output_names)
    for number, line in enumerate(TABLE_LINES * 2, start=1):  # twice: the texts the table keeps are reused
        for tag, record in read(line + "\n", number):
            outcome = simulator.run(tag, record)
            fast_table.write(outcome, number)
            general_table._write_any(outcome, number)  # the general path, for every outcome
    fast_table.close()
    general_table.close()
    assert fast.getvalue() == general.getvalue()
    assert "…" in fast.getvalue() and "\\x80" in fast.getvalue()  # cut descriptions and undecodable bytes were met


#: Records that trip the parse-first path (the input record's map read before FireLens's filter and the
#: partial_message join): log not last, log not a string, two logs, partial keys, maps with arrays or spaces,
#: texts that are not one map.
PARSE_FIRST_RECORDS = [
    (("log", '{"name":"Rack","level":"info","message":"m"}'),),
    (("source", "stdout"), ("log", '{"a":1}'), ("source", "stderr")),
    (("log", '{"a":1}'), ("log", 7)),
    (("log", '{"a":1}'), ("log", '{"b":2}')),
    (("log", '{"a":1}'), ("log", "not json")),
    (("partial_message", "true"), ("partial_id", "1"), ("partial_last", "true"), ("log", '{"a":1}')),
    (("partial_message", "true"), ("partial_id", "2"), ("partial_last", "false"), ("log", '{"a":1}')),
    (("partial", "x"), ("log", '{"a":1}')),
    (("log", "not json"), ("other", '{"b":2}')),
    (("log", '{"a":1}'), ("other", '{"b":2}')),
    (("", "x"), ("log", '{"a":1}')),
    (("log", '{"a":[1,2]}'),),
    (("log", '{"a": 1}'),),
    (("log", ' {"a":1}'),),
    (("log", '{"a":1} {"b":2}'),),
    (("log", '{"a":1.50,"b":-0}'),),
    (("log", "{}"),),
    (("log", "{"),),
    (("log", ""),),
    (("log", '{"name":"ActiveRecord","payload":{"label":"user_show"}}'),),
    (),
]

#: Configs around a json parser: the parse-first path applies to some, not to others.
PARSE_FIRST_CONFIGS = {
    "compiled": None,
    "reserve": "[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser json\n    Reserve_Data On\n",
    "preserve": "[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser json\n    Preserve_Key On\n",
    "appends log": (
        '[FILTER]\n    Name record_modifier\n    Match *\n    Record log {"x":1}\n'
        "[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser json\n"
    ),
    "appends partial": (
        "[FILTER]\n    Name record_modifier\n    Match *\n    Record partial_message true\n"
        "[FILTER]\n    Name multiline\n    Match *\n    Mode partial_message\n    multiline.key_content log\n"
        "[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser json\n"
    ),
    "grep first": (
        "[FILTER]\n    Name grep\n    Match *\n    Exclude log ^x\n"
        "[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser json\n"
    ),
    "join then parse": (
        "[FILTER]\n    Name multiline\n    Match *\n    Mode partial_message\n    multiline.key_content log\n"
        "[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser json\n"
        "[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $name ^(Rack)$ routed false\n"
    ),
}


@pytest.mark.parametrize("name", sorted(PARSE_FIRST_CONFIGS))
def test_the_parse_first_path_gives_what_every_filter_in_turn_gives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from firelens_cdktf.fluentbit import simulator as simulator_module
    from firelens_cdktf.fluentbit.config import parse_config
    from firelens_cdktf.fluentbit.preview_io import resolve_parsers
    from firelens_cdktf.fluentbit.record_accessor import Pairs

    text = PARSE_FIRST_CONFIGS[name]
    if text is None:
        config, parsers = load_for_preview(str(COMPILED_CONFIG))
    else:
        config = parse_config(text + "[OUTPUT]\n    Name null\n    Match *\n")
        parsers = resolve_parsers(config, [str(COMPILED_CONFIG.parent / "parsers_json.conf")], ".")
        parsers.merge(load_for_preview(str(COMPILED_CONFIG))[1], source="compiled")
    fast = Simulator(config, parsers)
    tag = FirelensContext().tag("rails-app")
    general = Simulator(config, parsers)
    with monkeypatch.context() as patch:
        patch.setattr(simulator_module, "_parse_first", lambda steps: None)
        assert general._plan(tag).parser is None  # its plan, kept, has no parse-first path
    if name == "compiled":
        assert fast._plan(tag).parser is not None  # the path is taken where it applies...
    elif name in ("reserve", "preserve", "appends log", "appends partial", "grep first"):
        assert fast._plan(tag).parser is None  # ...and only there
    for entries in PARSE_FIRST_RECORDS * 2:  # twice: the JSON reader's number texts are kept
        record = Pairs(entries)
        got, expected = fast.run(tag, record), general.run(tag, record)
        assert got.to_json_line() == expected.to_json_line()
        assert [d.record for d in got.deliveries] == [d.record for d in expected.deliveries]
        assert all(_same(d.record, e.record) for d, e in zip(got.deliveries, expected.deliveries, strict=True))
        assert (got.notes, got.stops) == (expected.notes, expected.stops)
    ends = fast.finish(), general.finish()
    assert [end.to_json_line() if end is not None else None for end in ends] == [
        end.to_json_line() if end is not None else None for end in ends[::-1]
    ]
