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
- the body is gzip-compressed when the stream's ``CompressionFormat`` is ``GZIP``;
- a stream with ``DataFormatConversionConfiguration`` converts the records to
  Parquet with its Glue table's columns (:mod:`firelens_local.parquet`); the
  documents it cannot convert go under the error prefix, with
  ``!{firehose:error-output-type}`` = ``format-conversion-failed``, as JSON.

Nothing else fails in the emulator's delivery, so no other error objects are written.

Throttling, when asked for: with a fault plan named by ``FIRELENS_EMULATOR_FAULTS``
(:mod:`firelens_local.faults`), ``PutRecordBatch`` answers some calls with a
partial failure or a ``ServiceUnavailableException``, as the plan says. The
plan is read again on every call; without the variable nothing changes.

Run in the moto server's process by :func:`firelens_local._moto_server.patch`.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from moto.core.responses import ActionResult
from moto.firehose.models import FirehoseBackend
from moto.firehose.responses import FirehoseResponse
from moto.glue.models import glue_backends
from moto.moto_api._internal import mock_random
from moto.s3.models import s3_backends

from firelens_cdktf.archive.schema import Column, parse_hive_type
from firelens_local.faults import FAULTS_ENV, FaultPlan, journal_path
from firelens_local.firehose_keys import evaluate_prefix, object_name
from firelens_local.parquet import CONVERSION_FAILED, convert_records, failure_document

#: The error code a throttled record or call carries (PutRecordBatchResponseEntry ``ErrorCode``).
_THROTTLED = "ServiceUnavailableException"


def stored_object(
    destination: dict[str, Any],
    stream: str,
    version: str,
    records: list[dict[str, bytes]],
    arrived: datetime,
    uuid: str,
) -> tuple[str, str, bytes]:
    """``(bucket, key, body)`` Firehose stores for ``records`` arriving at ``arrived`` (UTC), unconverted.

    Args:
        destination: the stream's S3 or extended S3 destination, as moto keeps it.
        stream: the delivery stream's name.
        version: the stream's version id.
        records: the call's records, ``{"Data": bytes}`` each.
        arrived: when the call arrived, timezone-aware.
        uuid: the object name's random part.
    """
    compression = destination.get("CompressionFormat", "UNCOMPRESSED")
    body = b"".join(record["Data"] for record in records)
    if compression == "GZIP":
        body = gzip.compress(body, mtime=int(arrived.timestamp()))
    return _placed(destination, stream, version, arrived, uuid, body)


def _placed(
    destination: dict[str, Any],
    stream: str,
    version: str,
    arrived: datetime,
    uuid: str,
    body: bytes,
    *,
    error_output_type: str | None = None,
) -> tuple[str, str, bytes]:
    """``body`` under the stream's prefix (its error prefix with ``error_output_type``), named as Firehose names it."""
    zone = destination.get("CustomTimeZone")
    local = arrived.astimezone(ZoneInfo(zone)) if zone else arrived.astimezone(UTC)
    if error_output_type is None:
        prefix = evaluate_prefix(destination.get("Prefix", ""), local)
        extension = destination.get("FileExtension")
        compression = destination.get("CompressionFormat", "UNCOMPRESSED")
    else:
        prefix = evaluate_prefix(destination.get("ErrorOutputPrefix", ""), local, error_output_type=error_output_type)
        extension, compression = None, "UNCOMPRESSED"
    key = prefix + object_name(stream, version, local, uuid, compression=compression, file_extension=extension)
    return destination["BucketARN"].split(":")[-1], key, body


def converted_objects(
    destination: dict[str, Any],
    stream: str,
    version: str,
    records: list[dict[str, bytes]],
    arrived: datetime,
    columns: Sequence[Column],
    table: tuple[str, str],
) -> list[tuple[str, str, bytes]]:
    """What a converting stream stores for ``records``: a Parquet object of the documents that convert, and
    an error object (JSON lines) of those that do not (:mod:`firelens_local.parquet`)."""
    conversion = convert_records([record["Data"] for record in records], columns)
    stored = []
    if conversion.parquet is not None:
        stored.append(_placed(destination, stream, version, arrived, str(mock_random.uuid4()), conversion.parquet))
    if conversion.failed:
        body = b"".join(failure_document(raw, arrived, table) for raw in conversion.failed)
        stored.append(
            _placed(
                destination,
                stream,
                version,
                arrived,
                str(mock_random.uuid4()),
                body,
                error_output_type=CONVERSION_FAILED,
            )
        )
    return stored


def _schema_columns(backend: FirehoseBackend, schema: dict[str, Any]) -> tuple[Column, ...]:
    """The columns of the Glue table a conversion names, from the emulator's own Glue."""
    glue = glue_backends[backend.account_id][schema.get("Region") or backend.region_name]
    table = glue.get_table(schema["DatabaseName"], schema["TableName"]).as_dict()
    return tuple(Column(c["Name"], parse_hive_type(c["Type"])) for c in table["StorageDescriptor"].get("Columns", []))


def _put_s3_records(
    self: FirehoseBackend,
    delivery_stream_name: str,
    version_id: str,
    s3_destination: dict[str, Any],
    records: list[dict[str, bytes]],
) -> list[dict[str, str]]:
    arrived = datetime.now(UTC)
    conversion = s3_destination.get("DataFormatConversionConfiguration") or {}
    try:
        if conversion.get("Enabled", True) and conversion.get("SchemaConfiguration"):
            schema = conversion["SchemaConfiguration"]
            objects = converted_objects(
                s3_destination,
                delivery_stream_name,
                version_id,
                records,
                arrived,
                _schema_columns(self, schema),
                (schema["DatabaseName"], schema["TableName"]),
            )
        else:
            objects = [
                stored_object(
                    s3_destination, delivery_stream_name, version_id, records, arrived, str(mock_random.uuid4())
                )
            ]
    except ValueError as error:  # a prefix or compression the correction does not model
        raise RuntimeError(f"emulated Firehose {delivery_stream_name}: {error}") from error
    for bucket, key, body in objects:
        s3_backends[self.account_id][self.partition].put_object(bucket, key, body)
    return [{"RecordId": str(mock_random.uuid4())} for _ in records]


# --- throttling (a fault plan) ----------------------------------------------------------


_original_put_record_batch = FirehoseResponse.put_record_batch
#: The plan text last read and how many calls it has met; the server is threaded.
_plan_lock = threading.Lock()
_plan_state: dict[str, Any] = {"text": None, "calls": 0}


def _next_call(plan_path: Path) -> tuple[str, int]:
    """The plan's text now and this call's number under it (from 1, again when the text changes)."""
    try:
        text = plan_path.read_text()
    except FileNotFoundError:
        text = ""
    with _plan_lock:
        if text != _plan_state["text"]:
            _plan_state["text"], _plan_state["calls"] = text, 0
        _plan_state["calls"] += 1
        return text, int(_plan_state["calls"])


def _journal(plan_path: Path, entry: dict[str, Any]) -> None:
    with _plan_lock, open(journal_path(plan_path), "a") as journal:
        journal.write(json.dumps(entry, sort_keys=True) + "\n")


def _error(status: int, code: str, message: str) -> tuple[str, dict[str, Any]]:
    """An AWS JSON-protocol error answer (``__type`` is what Fluent Bit's ``flb_aws_error`` reads)."""
    body = json.dumps({"__type": code, "message": message})
    return body, {"status": status, "x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.1"}


def _put_record_batch(self: FirehoseResponse) -> Any:
    plan_file = os.environ.get(FAULTS_ENV)
    if not plan_file:
        return _original_put_record_batch(self)
    plan_path = Path(plan_file)
    text, call = _next_call(plan_path)
    stream = self._get_param("DeliveryStreamName")
    records: list[dict[str, bytes]] = self._get_param("Records") or []
    entry: dict[str, Any] = {"call": call, "stream": stream, "records": len(records)}
    try:
        plan = FaultPlan.from_json(text)
    except (ValueError, TypeError) as error:
        _journal(plan_path, {**entry, "fault": "bad plan", "failed": len(records)})
        return _error(500, "InternalFailure", f"emulator fault plan {plan_path} is not usable: {error}")
    decision = plan.put_record_batch.decide(call=call, records=len(records))
    _journal(plan_path, {**entry, "fault": decision.fault, "failed": decision.failed})
    if decision.fault == "unavailable":
        status = plan.put_record_batch.unavailable_status
        return _error(status, _THROTTLED, f"Slow down: emulated throttling (fault plan, call {call}).")
    if decision.fault == "partial":
        stored = records[: len(records) - decision.failed]
        if stored:
            answers = self.firehose_backend.put_record_batch(stream, stored)["RequestResponses"]
        else:
            self.firehose_backend.describe_delivery_stream(stream)  # ResourceNotFound as usual
            answers = []
        failed = [{"ErrorCode": _THROTTLED, "ErrorMessage": f"Slow down: emulated throttling (call {call})."}]
        return ActionResult(
            {
                "FailedPutCount": decision.failed,
                "Encrypted": False,
                "RequestResponses": answers + failed * decision.failed,
            }
        )
    return _original_put_record_batch(self)


def patch() -> None:
    """Apply the Firehose correction, and the fault plan's hook, in this process."""
    FirehoseBackend.put_s3_records = _put_s3_records  # type: ignore[method-assign]
    FirehoseResponse.put_record_batch = _put_record_batch  # type: ignore[method-assign]
