"""The emulator's Firehose correction: S3 objects named, placed and compressed as real Firehose stores them.

moto 5.2.1 (``moto/firehose/models.py``, ``put_s3_records``) writes every
``PutRecord``/``PutRecordBatch`` call to S3 as one uncompressed object under
the configured prefix taken literally (``year=!{timestamp:yyyy}/...``), then
``YYYY/MM/DD/HH/``, with no file extension. This correction keeps moto's
one object per call (real Firehose buffers; see the README) and changes
where and how the object is stored:

- the key is the evaluated prefix plus Firehose's object name
  (:mod:`firelens_local.firehose_keys`): ``!{timestamp:...}`` is the
  call's arrival time in UTC (or the stream's ``CustomTimeZone``), and the
  name ends in ``.gz`` for a GZIP stream;
- the body is gzip-compressed when the stream's ``CompressionFormat`` is ``GZIP``.

Nothing fails in the emulator's delivery, so the error prefix
(``!{firehose:error-output-type}``) is never written; :func:`~firelens_local.firehose_keys.evaluate_prefix`
evaluates it all the same. Run in the moto server's process by
:func:`firelens_local._moto_server.patch`.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from moto.firehose.models import FirehoseBackend
from moto.moto_api._internal import mock_random
from moto.s3.models import s3_backends

from firelens_local.firehose_keys import evaluate_prefix, object_name


def stored_object(
    destination: dict[str, Any],
    stream: str,
    version: str,
    records: list[dict[str, bytes]],
    arrived: datetime,
    uuid: str,
) -> tuple[str, str, bytes]:
    """``(bucket, key, body)`` Firehose stores for ``records`` arriving at ``arrived`` (UTC).

    Args:
        destination: the stream's S3 or extended S3 destination, as moto keeps it.
        stream: the delivery stream's name.
        version: the stream's version id.
        records: the call's records, ``{"Data": bytes}`` each.
        arrived: when the call arrived, timezone-aware.
        uuid: the object name's random part.
    """
    zone = destination.get("CustomTimeZone")
    local = arrived.astimezone(ZoneInfo(zone)) if zone else arrived.astimezone(UTC)
    compression = destination.get("CompressionFormat", "UNCOMPRESSED")
    body = b"".join(record["Data"] for record in records)
    if compression == "GZIP":
        body = gzip.compress(body, mtime=int(arrived.timestamp()))
    key = evaluate_prefix(destination.get("Prefix", ""), local) + object_name(
        stream, version, local, uuid, compression=compression, file_extension=destination.get("FileExtension")
    )
    return destination["BucketARN"].split(":")[-1], key, body


def _put_s3_records(
    self: FirehoseBackend,
    delivery_stream_name: str,
    version_id: str,
    s3_destination: dict[str, Any],
    records: list[dict[str, bytes]],
) -> list[dict[str, str]]:
    try:
        bucket, key, body = stored_object(
            s3_destination, delivery_stream_name, version_id, records, datetime.now(UTC), str(mock_random.uuid4())
        )
    except ValueError as error:  # a prefix or compression the correction does not model
        raise RuntimeError(f"emulated Firehose {delivery_stream_name}: {error}") from error
    s3_backends[self.account_id][self.partition].put_object(bucket, key, body)
    return [{"RecordId": str(mock_random.uuid4())} for _ in records]


def patch() -> None:
    """Apply the Firehose correction in this process."""
    FirehoseBackend.put_s3_records = _put_s3_records  # type: ignore[method-assign]
