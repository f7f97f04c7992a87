"""The ``nest`` filter: plugins/filter_nest/nest.c, v4.2.2.

``configure``: ``Operation`` must start with ``nest`` or ``lift`` (case
matters); ``Wildcard`` lines select keys (a trailing ``*`` makes a prefix,
else the name must be equal); ``Nest_under`` and ``Nested_under`` set the same
key (the last one wins); ``Add_prefix`` and ``Remove_prefix`` exclude each
other. Any other option stops Fluent Bit.

- ``apply_nesting_rules``: when some key matches a wildcard, the keys that
  do not stay in order, then ``Nest_under`` holds a map of the matching keys
  (with ``Add_prefix`` put in front of, or ``Remove_prefix`` taken off, their
  names).
- ``apply_lifting_rules``: every key equal to ``Nested_under`` whose value is
  a map is replaced by that map's entries, appended after the other keys
  (prefixes applied); a key of that name holding anything else stays.
"""

from __future__ import annotations

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters._base import Run, Step
from firelens_cdktf.fluentbit.record_accessor import Pairs, Value
from firelens_cdktf.fluentbit.unknown import NotSimulated

OPTIONS = ("operation", "wildcard", "nest_under", "nested_under", "add_prefix", "remove_prefix")
NEST, LIFT = "nest", "lift"


class NestSettings:
    """What ``configure`` reads."""

    __slots__ = ("operation", "wildcards", "key", "prefix", "add_prefix", "remove_prefix")

    def __init__(self, section: Section) -> None:
        self.operation: str | None = None
        self.wildcards: list[tuple[str, bool]] = []
        self.key: str | None = None
        self.prefix: str | None = None
        self.add_prefix = self.remove_prefix = False
        where = section.describe()
        for entry in section.entries:
            option = entry.key.lower()
            if option in ("name", "match", "match_regex", "alias", "log_level", "log_suppress_interval"):
                continue
            if option == "operation":
                if entry.value.startswith(NEST):
                    self.operation = NEST
                elif entry.value.startswith(LIFT):
                    self.operation = LIFT
                else:
                    raise FluentBitSyntaxError(
                        where,
                        f"Operation {entry.value!r} is neither nest nor lift; Fluent Bit refuses to start",
                        "write Operation nest or Operation lift",
                    )
            elif option == "wildcard":
                dynamic = entry.value.endswith("*")
                self.wildcards.append((entry.value[:-1] if dynamic else entry.value, dynamic))
            elif option in ("nest_under", "nested_under"):
                self.key = entry.value
            elif option in ("add_prefix", "remove_prefix"):
                self.prefix = entry.value
                if option == "add_prefix":
                    self.add_prefix = True
                else:
                    self.remove_prefix = True
            else:
                raise FluentBitSyntaxError(
                    where,
                    f"option {entry.key!r} is not a nest option; Fluent Bit refuses to start",
                    f"use only {', '.join(OPTIONS)}",
                )
        if self.add_prefix and self.remove_prefix:
            raise FluentBitSyntaxError(
                where, "Add_prefix and Remove_prefix are both set; Fluent Bit refuses to start", "keep one of them"
            )
        if self.operation is None:
            raise FluentBitSyntaxError(
                where, "has no Operation; Fluent Bit refuses to start", "add Operation nest or Operation lift"
            )

    def selects(self, key: str) -> bool:
        """``is_kv_to_nest``."""
        for wildcard, dynamic in self.wildcards:
            if (key.startswith(wildcard)) if dynamic else key == wildcard:
                return True
        return False

    def renamed(self, key: str) -> str:
        """The key as ``helper_pack_string_add_prefix``/``_remove_prefix`` writes it."""
        if self.add_prefix:
            return f"{self.prefix}{key}"
        if self.remove_prefix and self.prefix is not None and key.startswith(self.prefix):
            return key[len(self.prefix) :]
        return key


class NestStep(Step):
    """A ``nest`` filter."""

    __slots__ = ("settings",)

    def __init__(self, section: Section, name: str, index: int) -> None:
        super().__init__(section, name, index)
        self.settings = NestSettings(section)

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        settings = self.settings
        if settings.operation == NEST:
            return self._nest(record)
        return self._lift(record)

    def _nest(self, record: Pairs) -> Pairs:
        settings = self.settings
        if not any(settings.selects(k) for k, _ in record):
            return record
        if settings.key is None:
            raise NotSimulated(
                f"{self.label}: nesting without Nest_under packs a key Fluent Bit leaves undefined: "
                "results after it are unknown"
            )
        kept = [(k, v) for k, v in record if not settings.selects(k)]
        nested: tuple[tuple[str, Value], ...] = tuple(
            (settings.renamed(k), v) for k, v in record if settings.selects(k)
        )
        return Pairs.trusted((*kept, (settings.key, Pairs.trusted(nested))))

    def _lift(self, record: Pairs) -> Pairs:
        key = self.settings.key or ""
        if not any(k == key and isinstance(v, Pairs) for k, v in record):
            return record
        kept = [(k, v) for k, v in record if not (k == key and isinstance(v, Pairs))]
        lifted = [
            (self.settings.renamed(k), v)
            for name, inner in record
            if name == key and isinstance(inner, Pairs)
            for k, v in inner
        ]
        return Pairs.trusted((*kept, *lifted))
