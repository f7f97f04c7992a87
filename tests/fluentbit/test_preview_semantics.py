"""Each Fluent Bit behaviour the preview reproduces, on the smallest config that shows it."""

from __future__ import annotations

import pytest

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import parse_config, parse_parsers
from firelens_cdktf.fluentbit.record_accessor import Pairs, decode_json
from firelens_cdktf.fluentbit.simulator import FirelensContext, Outcome, Simulator, _Unknown, parse_json_object

PARSERS = parse_parsers("[PARSER]\n    Name json\n    Format json\n")
DECODING_PARSERS = parse_parsers("[PARSER]\n    Name json\n    Format json\n    Decode_Field_As json log\n")
TAG = "app-firelens-1"
ALL = "\n[OUTPUT]\n    Name  null\n    Alias all\n    Match *\n"


def run(text: str, record: str, *, tag: str = TAG, parsers: object = PARSERS, firelens: bool = False) -> Outcome:
    config = parse_config(text, source="extra.conf")
    simulator = Simulator(config, parsers, firelens=FirelensContext() if firelens else None)  # type: ignore[arg-type]
    value = decode_json(record)
    assert isinstance(value, Pairs)
    return simulator.run(tag, value)


def only_record(outcome: Outcome) -> dict[str, object]:
    assert len(outcome.deliveries) == 1, outcome
    return outcome.deliveries[0].record.to_python()


def rewrite(rule: str, match: str = "app-firelens-*") -> str:
    return f"\n[FILTER]\n    Name  rewrite_tag\n    Match {match}\n    Rule  {rule}\n"


def parser_filter(*extra: str) -> str:
    lines = "".join(f"    {line}\n" for line in extra)
    return f"\n[FILTER]\n    Name     parser\n    Match    app-firelens-*\n    Key_Name log\n    Parser   json\n{lines}"


def modifier(match: str, *records: str) -> str:
    lines = "".join(f"    Record {r}\n" for r in records)
    return f"\n[FILTER]\n    Name  record_modifier\n    Match {match}\n{lines}"


# --- FireLens ---------------------------------------------------------------------------


def test_firelens_adds_ecs_metadata_to_every_record() -> None:
    assert list(only_record(run(ALL, '{"log":"x"}', firelens=True)))[-3:] == [
        "ecs_cluster",
        "ecs_task_arn",
        "ecs_task_definition",
    ]


def test_firelens_metadata_filter_runs_before_extra_conf() -> None:
    text = "\n[FILTER]\n    Name record_modifier\n    Match *\n    Remove_key ecs_*\n" + ALL
    assert "ecs_cluster" not in only_record(run(text, '{"log":"x"}', firelens=True))


def test_parsing_drops_the_firelens_metadata_of_the_original_record() -> None:
    assert only_record(run(parser_filter() + ALL, '{"log":"{\\"name\\":\\"Rack\\"}"}', firelens=True)) == {
        "name": "Rack"
    }


def test_a_re_emitted_copy_gets_the_firelens_metadata_again() -> None:
    copy = run(rewrite("$log ^x$ copy true") + ALL, '{"log":"x"}', firelens=True).deliveries[1]
    assert copy.record.keys().count("ecs_cluster") == 2


# --- filters ---------------------------------------------------------------------------------


def test_filters_run_in_file_order() -> None:
    text = modifier("*", "first 1") + modifier("*", "second 2") + ALL
    assert list(only_record(run(text, "{}"))) == ["first", "second"]


def test_a_filter_runs_only_for_tags_its_match_fits() -> None:
    assert only_record(run(modifier("other-*", "seen yes") + ALL, "{}")) == {}


def test_a_filter_with_active_false_is_skipped() -> None:
    assert only_record(run(modifier("*", "seen yes") + "    Active false\n" + ALL, "{}")) == {}


def test_a_re_emitted_copy_passes_every_filter_again_even_earlier_ones() -> None:
    text = modifier("copy", "stage again") + rewrite("$log ^x$ copy false") + ALL
    assert only_record(run(text, '{"log":"x"}')) == {"log": "x", "stage": "again"}


def test_record_modifier_appends_even_when_the_key_exists() -> None:
    assert run(modifier("*", "a 2") + ALL, '{"a":1}').deliveries[0].record.keys() == ("a", "a")


def test_record_modifier_removes_keys_by_prefix() -> None:
    text = "\n[FILTER]\n    Name record_modifier\n    Match *\n    Remove_key tmp_*\n" + ALL
    assert only_record(run(text, '{"tmp_a":1,"TMP_b":2,"keep":3}')) == {"keep": 3}


# --- parser --------------------------------------------------------------------------------------


def test_a_parsed_record_keeps_only_the_parsed_keys() -> None:
    outcome = run(parser_filter() + ALL, '{"source":"stdout","log":"{\\"name\\":\\"Rack\\",\\"level\\":\\"info\\"}"}')
    assert only_record(outcome) == {"name": "Rack", "level": "info"}


def test_a_line_that_is_not_json_passes_unchanged() -> None:
    assert only_record(run(parser_filter() + ALL, '{"log":"=> Booting Puma"}')) == {"log": "=> Booting Puma"}


@pytest.mark.parametrize("line", ["[1,2,3]", '\\"text\\"', "42", '{\\"a\\":1}{\\"b\\":2}'])
def test_json_that_is_not_exactly_one_object_passes_unchanged(line: str) -> None:
    record = f'{{"log":"{line}"}}'
    assert only_record(run(parser_filter() + ALL, record)) == decode_json(record).to_python()  # type: ignore[union-attr]


def test_a_value_that_is_not_a_string_is_not_parsed() -> None:
    assert only_record(run(parser_filter() + ALL, '{"log":{"a":1}}')) == {"log": {"a": 1}}


def test_reserve_data_keeps_the_other_keys_but_not_the_parsed_one() -> None:
    outcome = run(parser_filter("Reserve_Data On") + ALL, '{"source":"stdout","log":"{\\"a\\":1}"}')
    assert only_record(outcome) == {"a": 1, "source": "stdout"}


def test_preserve_key_keeps_the_parsed_key_with_reserve_data() -> None:
    outcome = run(parser_filter("Reserve_Data On", "Preserve_Key On") + ALL, '{"log":"{\\"a\\":1}"}')
    assert only_record(outcome) == {"a": 1, "log": '{"a":1}'}


def test_preserve_key_alone_keeps_the_parsed_key_next_to_the_parsed_ones() -> None:
    # filter_parser.c (4.x): "Store only the key being preserved" when Reserve_Data is off
    outcome = run(parser_filter("Preserve_Key On") + ALL, '{"source":"stdout","log":"{\\"a\\":1}"}')
    assert outcome.deliveries[0].record == Pairs((("a", 1), ("log", '{"a":1}')))


def test_decode_field_as_json_turns_escaped_json_into_a_map() -> None:
    line = '{\\"log\\":\\"{\\\\\\"inner\\\\\\":1}\\"}'
    assert only_record(run(parser_filter() + ALL, f'{{"log":"{line}"}}', parsers=DECODING_PARSERS)) == {
        "log": {"inner": 1}
    }


def test_json_parser_refuses_anything_but_one_object() -> None:
    assert [parse_json_object(t) for t in ("[1]", '{"a":1} {"b":2}', "")] == [None, None, None]


def test_trailing_text_that_is_not_json_ends_the_json_input() -> None:
    # flb_pack.c pack_json_to_msgpack_yyjson: a read error after one value stops reading without failing
    assert parse_json_object('{"a":1} trailing') == Pairs((("a", 1),))


def test_a_number_right_after_the_json_value_is_reported_not_guessed() -> None:
    with pytest.raises(_Unknown, match="after the JSON value"):
        parse_json_object('{"a":1} 1.')


# --- rewrite_tag ----------------------------------------------------------------------------------


def tags(outcome: Outcome) -> list[str]:
    return sorted(d.tag for d in outcome.deliveries)


def test_the_first_matching_rule_wins() -> None:
    text = (
        "\n[FILTER]\n    Name rewrite_tag\n    Match app-*\n    Rule $a .+ first false\n    Rule $a .+ second false\n"
        + ALL
    )
    assert tags(run(text, '{"a":"x"}')) == ["first"]


def test_keep_false_drops_the_original() -> None:
    assert tags(run(rewrite("$a ^x$ moved false") + ALL, '{"a":"x"}')) == ["moved"]


def test_keep_true_keeps_the_original() -> None:
    assert tags(run(rewrite("$a ^x$ copied true") + ALL, '{"a":"x"}')) == [TAG, "copied"]


def test_the_regex_is_searched_anywhere_in_the_value() -> None:
    assert tags(run(rewrite("$name Record moved false") + ALL, '{"name":"ActiveRecord"}')) == ["moved"]


@pytest.mark.parametrize("value", ["7", "true", "null", '{"label":"x"}', '["x"]'])
def test_a_rule_never_matches_a_value_that_is_not_a_string(value: str) -> None:
    assert tags(run(rewrite("$label .* moved false") + ALL, f'{{"label":{value}}}')) == [TAG]


def test_a_rule_never_matches_a_missing_key() -> None:
    assert tags(run(rewrite("$label .* moved false") + ALL, "{}")) == [TAG]


def test_a_path_through_a_string_tests_the_string_itself() -> None:
    assert tags(
        run(rewrite("$payload['label'] ^user_show$ l.$payload['label'] false") + ALL, '{"payload":"user_show"}')
    ) == ["l.user_show"]


def test_captures_and_tag_parts_build_the_new_tag() -> None:
    text = rewrite(r"$name ^([a-z]+)-([0-9]+)$ x.$TAG[0].$2.$1 false") + ALL
    assert tags(run(text, '{"name":"abc-123"}')) == [f"x.{TAG}.123.abc"]


def test_a_new_tag_with_forbidden_characters_is_flagged() -> None:
    outcome = run(rewrite("$label .+ l.$label false") + ALL, '{"label":"user show"}')
    assert [n.kind for n in outcome.notes] == ["warning"]


def test_a_copy_coming_back_to_its_filter_is_reported_as_a_loop() -> None:
    outcome = run(rewrite("$a ^x$ again.$TAG false", match="*") + ALL, '{"a":"x"}')
    assert any("loop" in n.message for n in outcome.notes) and not outcome.complete


def test_fails_when_a_rule_would_stop_fluent_bit_from_starting() -> None:
    with pytest.raises(FluentBitSyntaxError, match="does not compile"):
        run(rewrite("$a ^(x moved false") + ALL, "{}")


# --- routing to outputs ------------------------------------------------------------------------------


def test_every_output_whose_match_fits_gets_a_copy() -> None:
    text = ALL + "\n[OUTPUT]\n    Name cloudwatch_logs\n    Match app-*\n"
    assert [d.output for d in run(text, "{}").deliveries] == ["all", "cloudwatch_logs.1"]


def test_a_record_no_output_matches_is_reported_dropped() -> None:
    outcome = run(rewrite("$a ^x$ logdata.x true") + "\n[OUTPUT]\n    Name null\n    Match app-*\n", '{"a":"x"}')
    assert [d.tag for d in outcome.dropped] == ["logdata.x"]


def test_match_regex_is_anchored_at_the_start_of_the_tag() -> None:
    text = "\n[OUTPUT]\n    Name null\n    Match_Regex firelens\n"
    assert run(text, "{}", tag="app-firelens-1").deliveries == ()


# --- what is not simulated -------------------------------------------------------------------------------


def test_an_unknown_filter_is_reported_and_nothing_is_guessed() -> None:
    outcome = run("\n[FILTER]\n    Name lua\n    Match *\n    Script x.lua\n" + ALL, "{}")
    assert (outcome.deliveries, [n.message for n in outcome.notes]) == (
        (),
        ["filter 'lua' (lua.0) is not simulated: results after it are unknown"],
    )


def test_an_unknown_option_of_a_known_filter_is_reported() -> None:
    outcome = run(parser_filter("Unknown_Option 1") + ALL, '{"log":"{}"}')
    assert "option(s) ['Unknown_Option'] are not simulated" in outcome.notes[0].message


def test_a_parser_regex_the_preview_cannot_read_is_reported() -> None:
    regex_parsers = parse_parsers("[PARSER]\n    Name json\n    Format regex\n    Regex ^(?<a>\\p{Alpha}+)$\n")
    outcome = run(parser_filter() + ALL, '{"log":"x"}', parsers=regex_parsers)
    assert "which the preview does not model" in outcome.notes[0].message


def test_a_quoted_regex_may_contain_spaces() -> None:
    assert tags(run(rewrite('$msg "^User Load$" sql false') + ALL, '{"msg":"User Load"}')) == ["sql"]


@pytest.mark.parametrize("keep", ["true", "On", "yes"])
def test_keep_accepts_every_spelling_of_true(keep: str) -> None:
    assert tags(run(rewrite(f"$a ^x$ copied {keep}") + ALL, '{"a":"x"}')) == [TAG, "copied"]
