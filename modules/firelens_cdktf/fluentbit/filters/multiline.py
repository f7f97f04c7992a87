"""The ``multiline`` filter: plugins/filter_multiline/ml.c and ml_concat.c, v4.2.2.

``cb_ml_init``: ``Mode`` is ``parser`` (default) or ``partial_message``;
``Buffer`` is on by default; parser mode needs ``multiline.parser`` (each
value a comma list of names, every name registered), partial mode needs
``multiline.key_content``; ``Flush_MS`` below 500 stops Fluent Bit in
buffered parser mode (``flb_ml_auto_flush_init``).

Buffered parser mode (``cb_ml_filter``): every record is taken out of the
chunk and fed to the multiline engine (:mod:`firelens_cdktf.fluentbit.multiline`)
of its stream, one stream per input and tag (``get_or_create_stream``);
whatever the engine flushes, joined or not, is re-emitted through the
filter's emitter with the stream's tag, so it passes every filter again
from the start, except this one (records from its own emitter are left
alone).

``partial_message`` mode (``ml_filter_partial``): records whose
``partial_message`` is ``true`` are collected per ``partial_id``, input and
tag; the one with ``partial_last`` ``true`` completes the record (the other
keys of the first part, minus ``partial_*``, then ``multiline.key_content``
holding the joined text), which goes on from this filter in the same pass.
Other records pass unchanged. Key names are matched the way ``ml_get_key``
does: a record key matches when the wanted name starts with it.

What the preview cannot see is time: it reads lines as if they arrived
together, so a group is flushed when the engine's rules end it or a line
of another kind arrives, and what is still buffered at the end of the input
is flushed then, as the flush timer (``Flush_MS``, 2 s by default) would.
``Buffer off`` depends on how records are cut into chunks, which the
preview does not know, so it is reported, not guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters._base import HELD, Run, Step
from firelens_cdktf.fluentbit.multiline import MultilineEngine, MultilineParser, find_parser
from firelens_cdktf.fluentbit.record_accessor import Pairs, Value
from firelens_cdktf.fluentbit.split import flb_utils_bool, slist_split_string
from firelens_cdktf.fluentbit.unknown import NotSimulated

OPTIONS = (
    "debug_flush",
    "buffer",
    "mode",
    "flush_ms",
    "multiline.parser",
    "multiline.key_content",
    "emitter_name",
    "emitter_storage.type",
    "emitter_mem_buf_limit",
)
PARSER_MODE, PARTIAL_MODE = "parser", "partial_message"
_name = itemgetter(0)
#: The key Docker's log driver marks a piece of a long line with.
PARTIAL_MESSAGE = "partial_message"
#: Where FireLens records come from: its forward input.
FORWARD_INPUT = "forward.0"


def holds_partial_key(record: Pairs) -> bool:
    """Whether a key of ``record`` could name ``partial_message`` (``_get_key`` would find one): the test
    that makes Mode ``partial_message`` look at a record at all."""
    return PARTIAL_MESSAGE.startswith(tuple(map(_name, record)))


def _get_key(record: Pairs, wanted: str) -> int | None:
    """``ml_get_key``: the first entry whose name ``wanted`` starts with (``strncmp`` over the key's length)."""
    if not wanted.startswith(tuple(map(_name, record))):
        return None  # no key is a prefix of wanted: the same answer, from one C call instead of a loop
    for index, (name, _) in enumerate(record):
        if wanted.startswith(name):
            return index
    return None


def _true(record: Pairs, wanted: str, where: str) -> bool:
    """``ml_is_partial`` / ``ml_is_partial_last``: the key's value starts with ``true`` (any case)."""
    index = _get_key(record, wanted)
    if index is None:
        return False
    value = record[index][1]
    if not isinstance(value, str):
        raise NotSimulated(
            f"{where}: {wanted} holds {type(value).__name__}, which Fluent Bit reads as a null "
            "string: results after it are unknown"
        )
    return value[:4].lower() == "true"


class _Packer:
    """``struct split_message_packer``: one split message being joined."""

    __slots__ = ("partial_id", "origin", "tag", "keys", "split_key", "text")

    def __init__(
        self, partial_id: str, origin: int | None, tag: str, keys: list[tuple[str, Value]], split_key: str
    ) -> None:
        self.partial_id, self.origin, self.tag = partial_id, origin, tag
        self.keys, self.split_key = keys, split_key
        self.text: list[str] = []

    def record(self) -> Pairs:
        return Pairs.trusted((*self.keys, (self.split_key, "".join(self.text))))


class MultilineStep(Step):
    """A ``multiline`` filter."""

    __slots__ = ("mode", "key_content", "engine", "packers", "parser_names")

    def __init__(self, section: Section, name: str, index: int, registry: Sequence[MultilineParser]) -> None:
        super().__init__(section, name, index)
        where = section.describe()
        buffered = flb_utils_bool(section.get("Buffer") or "true")
        if buffered == -1:
            raise FluentBitSyntaxError(
                where,
                f"Buffer {section.get('Buffer')!r} is not a boolean; Fluent Bit refuses to start",
                "write Buffer On",
            )
        mode = (section.get("Mode") or PARSER_MODE).lower()
        if mode not in (PARSER_MODE, PARTIAL_MODE):
            raise FluentBitSyntaxError(
                where,
                f"Mode {section.get('Mode')!r} is neither parser nor partial_message; Fluent Bit refuses to start",
                "write Mode parser or Mode partial_message",
            )
        self.mode = mode
        self.key_content = section.get("multiline.key_content")
        storage = (section.get("emitter_storage.type") or "memory").lower()
        if buffered and storage not in ("memory", "filesystem"):
            raise FluentBitSyntaxError(
                where,
                f"emitter_storage.type {storage!r} is neither memory nor filesystem; Fluent Bit refuses to start",
                "write emitter_storage.type memory",
            )
        if mode == PARTIAL_MODE and not self.key_content:
            raise FluentBitSyntaxError(
                where,
                "Mode partial_message needs multiline.key_content; Fluent Bit refuses to start",
                "add 'multiline.key_content log'",
            )
        self.parser_names = [n for value in section.get_all("multiline.parser") for n in slist_split_string(value, ",")]
        if mode == PARSER_MODE and not self.parser_names:
            raise FluentBitSyntaxError(
                where,
                "Mode parser needs at least one multiline.parser; Fluent Bit refuses to start",
                "add 'multiline.parser java' (or docker, cri, go, python, ruby)",
            )
        if not buffered:
            raise NotSimulated(
                f"{self.label}: with Buffer off the filter joins lines only within one chunk, and how "
                "records are cut into chunks is not simulated: results after it are unknown"
            )
        self.engine: MultilineEngine | None = None
        self.packers: list[_Packer] = []
        if mode == PARSER_MODE:
            flush_ms = section.get("flush_ms")
            if flush_ms is not None and flush_ms.strip().lstrip("-").isdigit() and int(flush_ms) < 500:
                raise FluentBitSyntaxError(
                    where,
                    f"flush_ms {flush_ms} is below 500; Fluent Bit refuses to start",
                    "use flush_ms 500 or more (default 2000)",
                )
            parsers = []
            for parser_name in self.parser_names:
                found = find_parser(list(registry), parser_name)
                if found is None:
                    raise FluentBitSyntaxError(
                        where,
                        f"multiline.parser {parser_name!r} is not registered; Fluent Bit refuses to start",
                        "use docker, cri, go, java, python, ruby or a [MULTILINE_PARSER] from a Parsers_File",
                    )
                parsers.append(found)
            self.engine = MultilineEngine(parsers, self.key_content)

    @property
    def joins_pieces(self) -> bool:
        """Mode ``partial_message``: a record none of whose keys could name ``partial_message`` passes
        unchanged (:func:`holds_partial_key`), with nothing noted."""
        return self.mode == PARTIAL_MODE

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        if origin == self.index:
            return record  # "not processing records from the emitter"
        if self.mode == PARTIAL_MODE:
            if not PARTIAL_MESSAGE.startswith(tuple(map(_name, record))):
                return record  # _get_key finds no partial_message key: not a piece (the common case, inline)
            return self._partial(tag, record, run, origin)
        assert self.engine is not None
        stream = (origin, tag)
        flushed = self.engine.append(stream, record)
        for joined in flushed:
            run.emit(self, tag, joined, tracks_loops=False)
        if not any(joined is record for joined in flushed) and self.engine.pending_in(stream):
            run.stop(self, tag, HELD)
        return None

    def _partial(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        if not _true(record, PARTIAL_MESSAGE, self.label):
            return record
        id_index = _get_key(record, "partial_id")
        if id_index is None:
            return record  # "handle this record as non-partial"
        partial_id = record[id_index][1]
        if not isinstance(partial_id, str):
            raise NotSimulated(
                f"{self.label}: partial_id holds {type(partial_id).__name__}: results after it are unknown"
            )
        key_content = self.key_content or ""
        packer = next(
            (p for p in self.packers if p.partial_id.startswith(partial_id) and p.origin == origin and p.tag == tag),
            None,
        )
        if packer is None:
            split = _get_key(record, key_content)
            if split is None:
                return record
            keys = [(k, v) for i, (k, v) in enumerate(record) if i != split and not "partial_".startswith(k[:8])]
            packer = _Packer(partial_id, origin, tag, keys, record[split][0])
            self.packers.append(packer)
        content_index = _get_key(record, key_content)
        content = record[content_index][1] if content_index is not None else None
        if not isinstance(content, str):
            return record
        packer.text.append(content)
        if _true(record, "partial_last", self.label):
            self.packers.remove(packer)
            return packer.record()
        run.stop(self, tag, HELD)
        return None

    def finish(self, run: Run) -> None:
        if self.engine is not None:
            for stream, joined in self.engine.flush_all():
                run.emit(self, stream[1], joined, tracks_loops=False)  # type: ignore[index]
        for packer in self.packers:
            run.emit(self, packer.tag, packer.record(), tracks_loops=False)
        self.packers = []
