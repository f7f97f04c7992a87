"""The filter plugins the preview simulates, one module each, and the factory that picks one.

=================  ==================  =====================================================
plugin             module (``.filters``)  Fluent Bit 4.2.2 source
=================  ==================  =====================================================
grep               :mod:`.grep`        plugins/filter_grep/grep.c
modify             :mod:`.modify`      plugins/filter_modify/modify.c
nest               :mod:`.nest`        plugins/filter_nest/nest.c
record_modifier    :mod:`.record_modifier`  plugins/filter_record_modifier/filter_modifier.c
parser             :mod:`.parser`      plugins/filter_parser/filter_parser.c
rewrite_tag        :mod:`.rewrite_tag`  plugins/filter_rewrite_tag/rewrite_tag.c
multiline          :mod:`.multiline`   plugins/filter_multiline/ml.c, ml_concat.c
=================  ==================  =====================================================

Any other plugin, an option a plugin does not know, or a setting the
preview does not model becomes a step that stops the record with an
``unknown`` note: results are reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters import grep, modify, multiline, nest, parser, record_modifier, rewrite_tag
from firelens_cdktf.fluentbit.filters._base import (
    COMMON_OPTIONS,
    EXCLUDED,
    HELD,
    UNKNOWN,
    WARNING,
    Note,
    Run,
    Step,
    Stop,
    is_active,
    unknown_options,
)
from firelens_cdktf.fluentbit.multiline import MultilineParser
from firelens_cdktf.fluentbit.parsers import CompiledParsers, Parser
from firelens_cdktf.fluentbit.unknown import NotSimulated

__all__ = [
    "COMMON_OPTIONS",
    "EXCLUDED",
    "HELD",
    "OPTIONS",
    "UNKNOWN",
    "WARNING",
    "Note",
    "Run",
    "Step",
    "Stop",
    "build_step",
    "is_active",
]

#: Options each simulated plugin knows (its config map in 4.2.2).
OPTIONS: dict[str, tuple[str, ...]] = {
    "grep": grep.OPTIONS,
    "modify": modify.OPTIONS,
    "nest": nest.OPTIONS,
    "record_modifier": record_modifier.OPTIONS,
    "parser": parser.OPTIONS,
    "rewrite_tag": rewrite_tag.OPTIONS,
    "multiline": multiline.OPTIONS,
}


class Unmodelled(Step):
    """A filter whose effect the preview does not model: the record stops here, reported."""

    __slots__ = ("message",)

    def __init__(self, section: Section, name: str, index: int, message: str) -> None:
        super().__init__(section, name, index)
        self.message = message

    def apply(self, tag: str, record, run: Run, origin: int | None):  # type: ignore[no-untyped-def]
        raise NotSimulated(self.message)


def build_step(
    section: Section,
    name: str,
    index: int,
    *,
    parsers: Mapping[str, Parser],
    multiline_parsers: Sequence[MultilineParser],
) -> Step:
    """The step for one active ``[FILTER]``.

    Raises:
        FluentBitSyntaxError: Fluent Bit would refuse to start with it.
    """
    plugin = section.plugin
    label = f"filter {plugin!r} ({name})"
    if plugin not in OPTIONS:
        return Unmodelled(section, name, index, f"{label} is not simulated: results after it are unknown")
    unknown = unknown_options(section, OPTIONS[plugin])
    if unknown:
        return Unmodelled(
            section, name, index, f"{label} option(s) {unknown} are not simulated: results after it are unknown"
        )
    try:
        if plugin == "grep":
            return grep.GrepStep(section, name, index)
        if plugin == "modify":
            return modify.ModifyStep(section, name, index)
        if plugin == "nest":
            return nest.NestStep(section, name, index)
        if plugin == "record_modifier":
            return record_modifier.RecordModifierStep(section, name, index)
        if plugin == "parser":
            stock = parsers.stock if isinstance(parsers, CompiledParsers) else {}
            unread = [n for n in section.get_all("Parser") if n not in parsers and n in stock]
            if unread:
                return Unmodelled(
                    section,
                    name,
                    index,
                    f"{label}: parser {unread[0]!r} is defined in the image's stock {stock[unread[0]]}, which was "
                    "not read: results after it are unknown (pass --image-root, the pinned image's files)",
                )
            return parser.ParserStep(section, name, index, parsers)
        if plugin == "rewrite_tag":
            return rewrite_tag.RewriteTagStep(section, name, index)
        return multiline.MultilineStep(section, name, index, multiline_parsers)
    except NotSimulated as exc:
        return Unmodelled(section, name, index, str(exc))
