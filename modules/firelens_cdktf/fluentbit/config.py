"""Fluent Bit classic-format config files: a model, a reader and a writer.

The compiler writes configs through this model, and the linter and preview
read any config (the compiled one, or a hand-written one such as the
article's) through it, so all three see the same thing Fluent Bit sees.

Reading follows Fluent Bit's classic format
(https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/classic-mode/format-schema
and .../classic-mode/commands):

- ``[NAME]`` starts a section; names are case-insensitive.
- Entries are indented ``Key Value`` lines; keys are case-insensitive, the
  same key may repeat; every entry of a file uses the same indentation.
- Only full-line comments exist (``#`` after the indentation); a ``#`` later
  in a line is part of the value.
- ``@INCLUDE file`` splices another file in (relative to the including file;
  wildcards allowed); ``@SET key=value`` defines ``${key}`` for later values.

Example:
    >>> config = parse_config("[OUTPUT]\\n    Name null\\n    Match *\\n")
    >>> config.outputs[0].plugin
    'null'
"""

from __future__ import annotations

import glob as _glob
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from firelens_cdktf.errors import FluentBitSyntaxError

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Entry:
    """One ``Key Value`` line of a section."""

    key: str
    value: str
    line: int | None = None


@dataclass(frozen=True)
class Section:
    """A ``[SERVICE]``, ``[INPUT]``, ``[FILTER]``, ``[OUTPUT]``, ``[PARSER]``... block.

    ``comments`` are the full-line comments written right above the header
    (the compiler uses them to say which route a block serves).
    """

    name: str
    entries: tuple[Entry, ...]
    comments: tuple[str, ...] = ()
    source: str | None = None
    line: int | None = None

    def get(self, key: str) -> str | None:
        """The value of ``key`` (case-insensitive); the last one when repeated."""
        values = self.get_all(key)
        return values[-1] if values else None

    def get_all(self, key: str) -> tuple[str, ...]:
        """Every value of ``key`` in file order (e.g. all ``Rule`` lines)."""
        wanted = key.lower()
        return tuple(e.value for e in self.entries if e.key.lower() == wanted)

    def has(self, key: str) -> bool:
        """Whether ``key`` is set at all."""
        return bool(self.get_all(key))

    @property
    def plugin(self) -> str:
        """The plugin (``Name``), lower-cased as Fluent Bit compares it; ``""`` if unset."""
        return (self.get("Name") or "").lower()

    @property
    def alias(self) -> str | None:
        """The ``Alias`` if set."""
        return self.get("Alias")

    @property
    def location(self) -> str:
        """``file line N`` for messages."""
        source = os.path.basename(self.source) if self.source else "config"
        return f"{source} line {self.line}" if self.line else source

    def describe(self) -> str:
        """How messages name this section: ``[FILTER] rewrite_tag 'alias' (extra.conf line 9)``."""
        label = f"[{self.name}] {self.plugin or '(no Name)'}"
        if self.alias:
            label += f" {self.alias!r}"
        return f"{label} ({self.location})"


@dataclass(frozen=True)
class FluentBitConfig:
    """A whole config as Fluent Bit assembles it (includes spliced in).

    ``unresolved_variables`` lists ``${NAME}`` references that no ``@SET``
    defined: Fluent Bit would read them from its environment, which the
    tools here do not know, so they are kept as written.
    """

    sections: tuple[Section, ...]
    source: str = "config"
    unresolved_variables: tuple[str, ...] = ()
    #: ``@INCLUDE``s of the image's stock files that were not read (no extracted image folder given).
    skipped_includes: tuple[str, ...] = ()

    def of_kind(self, name: str) -> tuple[Section, ...]:
        """Sections named ``name`` (``FILTER``...), in file order."""
        wanted = name.upper()
        return tuple(s for s in self.sections if s.name == wanted)

    @property
    def service(self) -> tuple[Section, ...]:
        """``[SERVICE]`` sections (Fluent Bit merges them)."""
        return self.of_kind("SERVICE")

    def service_setting(self, key: str) -> str | None:
        """The value Fluent Bit uses for ``[SERVICE]`` setting ``key``; ``None`` when unset.

        Fluent Bit keeps one service section: each further ``[SERVICE]`` adds
        its properties to the first (``flb_cf_section_create``,
        src/config_format/flb_config_format.c), and ``flb_config_load_config_format``
        (src/flb_config.c) then applies them in file order with
        ``flb_config_set_property``, whose keys are case-insensitive. So the
        last value of a key, in any ``[SERVICE]``, is the one in force.
        """
        values = [value for section in self.service for value in section.get_all(key)]
        return values[-1] if values else None

    @property
    def inputs(self) -> tuple[Section, ...]:
        """``[INPUT]`` sections in order."""
        return self.of_kind("INPUT")

    @property
    def filters(self) -> tuple[Section, ...]:
        """``[FILTER]`` sections in the order Fluent Bit runs them."""
        return self.of_kind("FILTER")

    @property
    def outputs(self) -> tuple[Section, ...]:
        """``[OUTPUT]`` sections in order."""
        return self.of_kind("OUTPUT")

    @property
    def parsers_files(self) -> tuple[str, ...]:
        """Every ``Parsers_File`` named in ``[SERVICE]``."""
        return tuple(v for s in self.service for v in s.get_all("Parsers_File"))

    def output_name(self, section: Section) -> str:
        """The name Fluent Bit gives an output: its Alias, else ``<plugin>.<N>``.

        N is the output's position among all ``[OUTPUT]`` sections, from 0
        (``instance_id`` in src/flb_output.c numbers instances globally).
        """
        return section.alias or f"{section.plugin}.{self.outputs.index(section)}"

    def filter_name(self, section: Section) -> str:
        """Alias, else ``<plugin>.<N>`` with N the position among this config's ``[FILTER]`` sections.

        Under FireLens the generated filters come first, so Fluent Bit's own
        number for an unaliased filter is higher; give filters an Alias.
        """
        return section.alias or f"{section.plugin}.{self.filters.index(section)}"


@dataclass(frozen=True)
class ParserDefinition:
    """A ``[PARSER]`` from a parsers file."""

    name: str
    format: str
    section: Section

    def get(self, key: str) -> str | None:
        """Any other setting of the parser (``Time_Key``, ``Regex``...)."""
        return self.section.get(key)

    @property
    def decoders(self) -> tuple[tuple[str, str, str, str | None], ...]:
        """``(rule, decoder, field, action)`` for each ``Decode_Field``/``Decode_Field_As``."""
        out = []
        for entry in self.section.entries:
            if entry.key.lower() in ("decode_field", "decode_field_as"):
                parts = entry.value.split(None, 2)
                action = parts[2] if len(parts) > 2 else None
                if len(parts) >= 2:
                    out.append((entry.key.lower(), parts[0].lower(), parts[1], action))
        return tuple(out)


Loader = Callable[[str], str]


def _read_file(path: str) -> str:
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FluentBitSyntaxError(
            f"{path} line {line}",
            f"byte {error.start} (0x{data[error.start]:02x}) is not UTF-8",
            "save the file as UTF-8",
        ) from None


#: What a ``resolve`` function returns for an include it knows but cannot give (a stock file of the image
#: without the extracted image folder): the include is left out and listed in ``skipped_includes``.
SKIP_INCLUDE = ""


def load_config(path: str, *, resolve: Callable[[str, str], str | None] | None = None) -> FluentBitConfig:
    """Read a config file from disk, following ``@INCLUDE``.

    ``resolve(name, including_dir)`` may map an include path that does not
    exist here (such as ``/fluent-bit/etc/x.conf``) to a local file, or
    return :data:`SKIP_INCLUDE` to leave it out.

    Raises:
        FluentBitSyntaxError: the file is not valid classic format, or an
            include cannot be found.
        OSError: the file cannot be read.
    """
    return parse_config(_read_file(path), source=path, resolve=resolve)


def parse_config(
    text: str,
    *,
    source: str = "config",
    resolve: Callable[[str, str], str | None] | None = None,
    loader: Loader = _read_file,
) -> FluentBitConfig:
    """Parse classic-format ``text``; ``source`` names it in messages.

    Raises:
        FluentBitSyntaxError: the text breaks a rule of the classic format.
    """
    state = _ReaderState(resolve=resolve, loader=loader)
    _read_into(state, text, source, depth=0)
    state.close_section()
    return FluentBitConfig(
        sections=tuple(state.sections),
        source=source,
        unresolved_variables=tuple(sorted(state.unresolved)),
        skipped_includes=tuple(state.skipped),
    )


class ParserSet(dict[str, ParserDefinition]):
    """``[PARSER]`` definitions by name, plus the ``[MULTILINE_PARSER]`` sections read with them.

    A plain dict of parsers to every caller that only needs those; the
    preview's multiline filter reads :attr:`multiline` too.
    """

    def __init__(
        self, parsers: dict[str, ParserDefinition] | None = None, multiline: list[Section] | None = None
    ) -> None:
        super().__init__(parsers or {})
        self.multiline: list[Section] = list(multiline or [])
        #: Parser names defined in a stock parsers file of the image that was not read (no extracted image
        #: folder given): name -> the file. Known to exist; their definitions are not.
        self.unresolved_stock: dict[str, str] = {}

    def merge(self, other: ParserSet, *, source: str) -> None:
        """Add ``other``'s definitions, as loading one more parsers file does.

        Raises:
            FluentBitSyntaxError: a parser name is defined twice; Fluent Bit
                refuses to start ("parser named '...' already exists",
                src/flb_parser.c ``flb_parser_create``).
        """
        for name, definition in other.items():
            if name in self:
                raise FluentBitSyntaxError(
                    f"{source}: [PARSER] {name}",
                    f"parser {name!r} is already defined in {self[name].section.location}; Fluent Bit refuses to start",
                    "give each [PARSER] its own Name",
                )
            self[name] = definition
        self.multiline.extend(other.multiline)
        self.unresolved_stock.update(other.unresolved_stock)


def parse_parsers(text: str, *, source: str = "parsers") -> ParserSet:
    """Read a parsers file: its ``[PARSER]`` definitions by name, and its ``[MULTILINE_PARSER]`` sections.

    Raises:
        FluentBitSyntaxError: the text is not valid classic format, a parser
            has no ``Name`` or ``Format``, or a name is defined twice (Fluent
            Bit refuses to start, src/flb_parser.c ``flb_parser_create``).
    """
    return parsers_of(parse_config(text, source=source))


def parsers_of(config: FluentBitConfig) -> ParserSet:
    """The ``[PARSER]`` and ``[MULTILINE_PARSER]`` sections of a parsed file.

    Raises:
        FluentBitSyntaxError: as :func:`parse_parsers`.
    """
    parsers = ParserSet(multiline=list(config.of_kind("MULTILINE_PARSER")))
    for section in config.of_kind("PARSER"):
        name, fmt = section.get("Name"), section.get("Format")
        if not name or not fmt:
            raise FluentBitSyntaxError(
                section.location,
                "[PARSER] needs both Name and Format",
                "add 'Name <parser name>' and 'Format json' (or regex, logfmt, ltsv)",
            )
        parsers.merge(
            ParserSet({name: ParserDefinition(name=name, format=fmt.lower(), section=section)}), source=section.location
        )
    return parsers


@dataclass
class _ReaderState:
    resolve: Callable[[str, str], str | None] | None
    loader: Loader
    sections: list[Section] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    unresolved: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)
    current: tuple[str, list[Entry], tuple[str, ...], str, int] | None = None
    comments: list[str] = field(default_factory=list)

    def close_section(self) -> None:
        if self.current is not None:
            name, entries, comments, source, line = self.current
            self.sections.append(Section(name, tuple(entries), comments, source, line))
            self.current = None

    def expand(self, value: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.variables:
                return self.variables[name]
            self.unresolved.add(name)
            return match.group(0)

        return _VARIABLE.sub(substitute, value)


def _read_into(state: _ReaderState, text: str, source: str, depth: int) -> None:
    if depth > 16:
        raise FluentBitSyntaxError(source, "@INCLUDE nests more than 16 levels", "remove the include cycle")
    name = os.path.basename(source)
    file_indent: str | None = None  # each file fixes its own indentation
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r").rstrip()
        where = f"{name} line {number}"
        stripped = line.lstrip(" \t")
        if not stripped:
            continue
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("#"):
            if not indent:
                state.comments.append(stripped[1:].strip())
            continue
        if not indent:
            if stripped.startswith("["):
                if not stripped.endswith("]") or len(stripped) < 3:
                    raise FluentBitSyntaxError(
                        where, f"section header {stripped!r} is not [NAME]", "write it as [FILTER], [OUTPUT]..."
                    )
                state.close_section()
                state.current = (stripped[1:-1].strip().upper(), [], tuple(state.comments), source, number)
                state.comments = []
                continue
            if stripped.upper().startswith("@INCLUDE"):
                state.close_section()
                state.comments = []
                _include(state, stripped[len("@INCLUDE") :].strip(), source, where, depth)
                continue
            if stripped.upper().startswith("@SET"):
                assignment = stripped[len("@SET") :].strip()
                key, sep, value = assignment.partition("=")
                if not sep or not key.strip():
                    raise FluentBitSyntaxError(where, f"@SET {assignment!r} is not KEY=VALUE", "write @SET name=value")
                state.variables[key.strip()] = value.strip()
                continue
            raise FluentBitSyntaxError(
                where,
                f"{stripped!r} is neither a [SECTION], a command nor an indented entry",
                "indent entries under their section header",
            )
        if state.current is None:
            raise FluentBitSyntaxError(
                where, f"entry {stripped!r} is outside any section", "put it under a [SECTION] header"
            )
        if file_indent is None:
            file_indent = indent
        elif indent != file_indent:
            raise FluentBitSyntaxError(
                where,
                f"indentation {indent!r} differs from the file's {file_indent!r}",
                "indent every entry the same way (four spaces)",
            )
        parts = stripped.split(None, 1)
        if len(parts) < 2:
            raise FluentBitSyntaxError(
                where, f"key {parts[0]!r} has no value", f"write '{parts[0]} <value>' or remove the line"
            )
        state.current[1].append(Entry(parts[0], state.expand(parts[1].strip()), number))
    state.comments = []


def _include(state: _ReaderState, target: str, source: str, where: str, depth: int) -> None:
    if not target:
        raise FluentBitSyntaxError(where, "@INCLUDE without a file", "write @INCLUDE <file>")
    base = os.path.dirname(os.path.abspath(source)) if source not in ("config", "") else os.getcwd()
    candidate = target if os.path.isabs(target) else os.path.join(base, target)
    paths = sorted(_glob.glob(candidate)) if any(c in target for c in "*?[") else [candidate]
    resolved: list[str] = []
    for path in paths:
        if os.path.exists(path):
            resolved.append(path)
        elif state.resolve is not None and (local := state.resolve(target, base)) is not None:
            if local == SKIP_INCLUDE:
                state.skipped.append(target)
                continue
            resolved.append(local)
        else:
            raise FluentBitSyntaxError(
                where, f"@INCLUDE {target!r} not found", "put the file next to the including config, or fix the path"
            )
    for path in resolved:
        _read_into(state, state.loader(path), path, depth + 1)


# --- writing -------------------------------------------------------------------


def render_config(sections: Iterable[Section], *, header: Iterable[str] = ()) -> str:
    """Write sections in classic format, deterministically.

    Keys are padded to line up within a section; comments above each header
    come from ``Section.comments``; ``header`` lines open the file.
    """
    chunks: list[str] = []
    top = [f"# {line}".rstrip() for line in header]
    if top:
        chunks.append("\n".join(top))
    for section in sections:
        lines = [f"# {comment}".rstrip() for comment in section.comments]
        lines.append(f"[{section.name}]")
        width = max((len(e.key) for e in section.entries), default=0)
        for entry in section.entries:
            _check_writable(section, entry)
            lines.append(f"    {entry.key.ljust(width)} {entry.value}")
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"


def _check_writable(section: Section, entry: Entry) -> None:
    if not entry.key or any(c.isspace() for c in entry.key) or not entry.value.strip() or "\n" in entry.value:
        raise FluentBitSyntaxError(
            f"[{section.name}]",
            f"entry {entry.key!r}={entry.value!r} cannot be written on one classic-format line",
            "use a key without spaces and a non-empty single-line value",
        )
