"""Whether a time string reads: src/flb_strptime.c ``_flb_strptime`` and src/flb_parser.c
``flb_parser_time_lookup`` (v4.2.2), plus the unescapers of src/flb_unescape.c and the splitters of
src/flb_utils.c / src/flb_slist.c."""

from __future__ import annotations

import pytest

from firelens_cdktf.fluentbit.parsers._strptime import strptime_end
from firelens_cdktf.fluentbit.parsers._time import ParserTime, tzone_offset_valid
from firelens_cdktf.fluentbit.parsers._unescape import mysql_unquote, unescape_simple, unescape_utf8
from firelens_cdktf.fluentbit.split import slist_split_string, slist_split_tokens, utils_split


@pytest.mark.parametrize(
    ("value", "fmt", "end"),
    [
        ("2024-05-12T03:04:05Z", "%Y-%m-%dT%H:%M:%S", 19),  # text after the format is ignored
        ("12/May/2024:03:04:05 +0000", "%d/%b/%Y:%H:%M:%S %z", 26),
        ("Sunday, 12 may 2024", "%A, %d %b %Y", 19),  # names ignore case, full name first
        ("1715483045", "%s", 10),
        ("11:00 PM", "%I:%M %p", 8),
        ("2024-05-12 03:04:05 JST", "%F %T %Z", 23),
        ("2024-05-12", "%Y-%m-%d %H", None),  # the input ran out before the format
        ("13:00 PM", "%H:%M %p", None),  # %p refuses hours past 12
        ("2024-13-01", "%Y-%m-%d", None),
        ("03:04", "%H:%M %q", None),  # an unknown conversion fails
        ("JSTX", "%Z", None),  # a known zone must not be followed by a letter
        ("+09:00", "%z", 6),
    ],
)
def test_strptime_reads_as_flb_strptime(value: str, fmt: str, end: int | None) -> None:
    assert strptime_end(value.encode(), fmt.encode()) == end


def test_fractional_seconds_follow_percent_l() -> None:
    # flb_parser_create splits the format at %L; parse_subseconds reads the digits
    time = ParserTime.create("%Y-%m-%dT%H:%M:%S.%L%z", "time", 0, 1)
    assert (time.reads("2024-05-12T03:04:05.123+0900"), time.reads("2024-05-12T03:04:05+0900")) == (True, False)


def test_a_format_without_a_year_reads_with_one_put_in_front() -> None:
    assert ParserTime.create("%b %d %H:%M:%S", None, 0, 1).reads("May 12 03:04:05")


def test_time_strict_off_accepts_a_time_that_does_not_read() -> None:
    assert ParserTime.create("%Y", None, 0, 0).reads("never")


def test_a_time_string_longer_than_63_bytes_never_reads() -> None:
    assert not ParserTime.create("%Y", None, 0, 0).reads("2024" + "x" * 60)


@pytest.mark.parametrize(
    ("offset", "valid"), [("+0900", True), ("-07:00", True), ("Z", True), ("0900", False), ("+99", False)]
)
def test_time_offset_reads_as_flb_parser_tzone_offset(offset: str, valid: bool) -> None:
    assert tzone_offset_valid(offset) == valid


def test_unescape_utf8_reads_json_c_and_unicode_escapes() -> None:
    escaped = b'a\\"b\\n\\u00e9\\ud83d\\ude00\\x41\\101\\q'
    assert unescape_utf8(escaped) == b'a"b\n' + "é😀".encode() + b"AAq"


def test_unescape_utf8_replaces_a_lone_surrogate() -> None:
    assert unescape_utf8(b"\\udc00") == "\ufffd".encode()


def test_unescape_simple_drops_unknown_backslashes() -> None:
    assert unescape_simple(b"a\\tb\\qc") == b"a\tbqc"


def test_mysql_unquote_keeps_unknown_escapes() -> None:
    assert mysql_unquote(b"it\\'s\\q") == b"it's\\q"


def test_utils_split_keeps_the_rest_after_max_split_verbatim() -> None:
    assert utils_split("key  regex with spaces", " ", 1) == ["key", " regex with spaces"]


def test_utils_split_quoted_reads_quotes_and_escapes() -> None:
    assert utils_split("Set \"a b\" 'c\\'d'", " ", 3, quoted=True) == ["Set", "a b", "c'd"]


def test_utils_split_quoted_fails_on_an_unterminated_quote() -> None:
    assert utils_split('Set "a b', " ", 3, quoted=True) is None


def test_slist_split_tokens_appends_the_rest_after_max_split() -> None:
    assert slist_split_tokens('a "b \\" c" d e', 2) == ["a", 'b " c', "d e"]


def test_slist_split_string_trims_and_skips_empty_parts() -> None:
    assert slist_split_string(" start_state , , cont ", ",") == ["start_state", "cont"]
