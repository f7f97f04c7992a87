"""A small msgpack encoder: what the forward client sends to Fluent Bit, with no third-party package.

It writes the smallest form the msgpack specification allows for each value
(https://github.com/msgpack/msgpack/blob/master/spec.md), the choice Go's
``tinylib/msgp`` makes too (``AppendString``, ``AppendMapHeader``,
``AppendInt``: fluent/fluent-logger-golang, which Docker's fluentd log driver
uses, encodes with it). Supported values:

- ``None``, ``bool``, ``int`` (-2**63 to 2**64-1), ``float`` (always float64);
- ``str`` as UTF-8, with ``surrogateescape`` so a Docker piece cut inside a
  multi-byte character (:func:`firelens_cdktf.fluentbit.output_limits.docker_pieces`)
  goes out as the raw bytes Docker sends;
- ``bytes`` as bin;
- ``list`` and ``tuple`` as arrays; :class:`~firelens_cdktf.fluentbit.records.Pairs`
  as a map in its own order, repeated keys kept; any other ``Mapping`` as a map;
- :class:`EventTime`, the forward protocol's ext type 0.

Only encoding: Fluent Bit decodes.

Example:
    >>> encode({"a": [1, -1, None, True]}).hex()
    '81a1619401ffc0c3'
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from firelens_cdktf.fluentbit.records import Pairs

__all__ = ["EventTime", "encode"]


@dataclass(frozen=True)
class EventTime:
    """The forward protocol's EventTime: seconds and nanoseconds, sent as msgpack ext type 0 of 8 bytes.

    fluent-logger-golang writes it when Docker's ``fluentd-sub-second-precision``
    is on (``EventTime.MarshalBinaryTo``, fluent/proto.go), which the ECS agent
    sets for every FireLens container (agent/engine/docker_task_engine.go,
    ``getFirelensLogConfig``); in_forward reads it in Message mode
    (plugins/in_forward/fw_prot.c).

    Example:
        >>> EventTime.from_seconds(1.5)
        EventTime(seconds=1, nanoseconds=500000000)
    """

    seconds: int
    nanoseconds: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.seconds < 2**32 or not 0 <= self.nanoseconds < 10**9:
            raise ValueError(
                f"EventTime({self.seconds}, {self.nanoseconds}): seconds must fit 32 bits unsigned "
                "and nanoseconds be under 10**9"
            )

    @classmethod
    def from_seconds(cls, value: float) -> EventTime:
        """The EventTime of a Unix time in seconds (``time.time()``)."""
        seconds = int(value)
        nanos = round((value - seconds) * 1_000_000_000)  # the fraction alone: a float has no ns steps at 1.7e9 s
        return cls(seconds + nanos // 1_000_000_000, nanos % 1_000_000_000)


def encode(value: object) -> bytes:
    """``value`` in msgpack.

    Raises:
        TypeError: a value of a type msgpack has no form for here.
        ValueError: an integer or a length msgpack cannot hold.
    """
    out = bytearray()
    _write(out, value)
    return bytes(out)


def _write(out: bytearray, value: object) -> None:
    # bool before int: True is an int too.
    if value is None:
        out.append(0xC0)
    elif value is True:
        out.append(0xC3)
    elif value is False:
        out.append(0xC2)
    elif isinstance(value, int):
        _write_int(out, value)
    elif isinstance(value, float):
        out.append(0xCB)
        out += struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogateescape")
        _header(out, len(data), fix=(0xA0, 32), sized=(0xD9, 0xDA, 0xDB))
        out += data
    elif isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        _header(out, len(data), fix=None, sized=(0xC4, 0xC5, 0xC6))
        out += data
    elif isinstance(value, EventTime):
        out += b"\xd7\x00"  # fixext8, type 0
        out += struct.pack(">II", value.seconds, value.nanoseconds)
    elif isinstance(value, Pairs):  # before tuple: a Pairs is a tuple of (key, value)
        _header(out, len(value), fix=(0x80, 16), sized=(None, 0xDE, 0xDF))
        for key, item in value:
            _write(out, key)
            _write(out, item)
    elif isinstance(value, list | tuple):
        _header(out, len(value), fix=(0x90, 16), sized=(None, 0xDC, 0xDD))
        for item in value:
            _write(out, item)
    elif isinstance(value, Mapping):
        _header(out, len(value), fix=(0x80, 16), sized=(None, 0xDE, 0xDF))
        for key, item in value.items():
            _write(out, key)
            _write(out, item)
    else:
        raise TypeError(f"msgpack: cannot encode {type(value).__name__} {value!r}")


def _write_int(out: bytearray, value: int) -> None:
    if 0 <= value < 0x80:
        out.append(value)
    elif -32 <= value < 0:
        out.append(value & 0xFF)
    elif 0 <= value < 2**8:
        out += struct.pack(">BB", 0xCC, value)
    elif 0 <= value < 2**16:
        out += struct.pack(">BH", 0xCD, value)
    elif 0 <= value < 2**32:
        out += struct.pack(">BI", 0xCE, value)
    elif 0 <= value < 2**64:
        out += struct.pack(">BQ", 0xCF, value)
    elif -(2**7) <= value < 0:
        out += struct.pack(">Bb", 0xD0, value)
    elif -(2**15) <= value < 0:
        out += struct.pack(">Bh", 0xD1, value)
    elif -(2**31) <= value < 0:
        out += struct.pack(">Bi", 0xD2, value)
    elif -(2**63) <= value < 0:
        out += struct.pack(">Bq", 0xD3, value)
    else:
        raise ValueError(f"msgpack: integer {value} does not fit 64 bits")


def _header(out: bytearray, length: int, *, fix: tuple[int, int] | None, sized: tuple[int | None, int, int]) -> None:
    """A length header: the fix form below its limit, else 8-, 16- or 32-bit (a ``None`` form does not exist)."""
    if fix is not None and length < fix[1]:
        out.append(fix[0] | length)
    elif sized[0] is not None and length < 2**8:
        out += struct.pack(">BB", sized[0], length)
    elif length < 2**16:
        out += struct.pack(">BH", sized[1], length)
    elif length < 2**32:
        out += struct.pack(">BI", sized[2], length)
    else:
        raise ValueError(f"msgpack: length {length} does not fit 32 bits")
