"""Helpers the routing tests share: run a tiny config on one record and look at what came out."""

from __future__ import annotations

from collections.abc import Mapping

from firelens_cdktf.fluentbit.config import ParserDefinition, parse_config, parse_parsers
from firelens_cdktf.fluentbit.outcome import Outcome
from firelens_cdktf.fluentbit.records import Pairs, decode_json
from firelens_cdktf.fluentbit.simulator import Simulator

TAG = "app-firelens-1"
#: One output that takes every tag.
ALL = "\n[OUTPUT]\n    Name  null\n    Alias all\n    Match *\n"
JSON_PARSERS = parse_parsers("[PARSER]\n    Name json\n    Format json\n")


def section(name: str, *lines: str, match: str = "*") -> str:
    """A ``[FILTER]`` of plugin ``name`` with ``lines`` (``"Key Value"``)."""
    body = "".join(f"    {line}\n" for line in lines)
    return f"\n[FILTER]\n    Name  {name}\n    Match {match}\n{body}"


def simulator(text: str, parsers: Mapping[str, ParserDefinition] | None = None) -> Simulator:
    """A simulator of ``text`` without FireLens's metadata filter."""
    return Simulator(
        parse_config(text, source="extra.conf"), parsers if parsers is not None else JSON_PARSERS, firelens=None
    )


def run(text: str, record: str, *, tag: str = TAG, parsers: Mapping[str, ParserDefinition] | None = None) -> Outcome:
    """Run one JSON ``record`` through ``text`` (plus nothing: add :data:`ALL` to see deliveries)."""
    value = decode_json(record)
    assert isinstance(value, Pairs)
    return simulator(text, parsers).run(tag, value)


def delivered(outcome: Outcome) -> Pairs | None:
    """The one record delivered, or ``None`` when nothing was."""
    assert len(outcome.deliveries) <= 1, outcome
    return outcome.deliveries[0].record if outcome.deliveries else None


def through(filters: str, record: str, *, parsers: Mapping[str, ParserDefinition] | None = None) -> Pairs | None:
    """The record :data:`ALL` receives after ``filters``, as :class:`Pairs` (duplicate keys and order kept)."""
    return delivered(run(filters + ALL, record, parsers=parsers))


def pairs(json_text: str) -> Pairs:
    """A record written as JSON."""
    value = decode_json(json_text)
    assert isinstance(value, Pairs)
    return value
