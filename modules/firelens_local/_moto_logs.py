"""The emulator's CloudWatch Logs correction: a log group keeps its class.

moto 5.2.1's ``CreateLogGroup`` (``moto/logs/responses.py``) reads only the
name, tags and ``kmsKeyId``, and ``DescribeLogGroups`` (``LogGroup.to_describe_dict``)
returns no ``logGroupClass``. The AWS provider sends ``logGroupClass`` for a
route in the Infrequent Access class and reads it back; given nothing, it
plans to replace the group on every plan, as if its class had changed. Real
CloudWatch Logs keeps the class it was created with (``STANDARD`` when none
is given) and returns it
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).

Run in the moto server's process by :func:`firelens_local._moto_server.patch`.
"""

from __future__ import annotations

from typing import Any

from moto.logs.models import LogGroup
from moto.logs.responses import LogsResponse

_original_create_log_group = LogsResponse.create_log_group
_original_describe = LogGroup.to_describe_dict
#: The class CloudWatch Logs gives a group created without one.
DEFAULT_CLASS = "STANDARD"


def _create_log_group(self: LogsResponse) -> Any:
    result = _original_create_log_group(self)
    group = self.logs_backend.groups.get(self._get_param("logGroupName"))
    if group is not None:
        group.log_group_class = self._get_param("logGroupClass") or DEFAULT_CLASS  # type: ignore[attr-defined]
    return result


def _to_describe_dict(self: LogGroup) -> dict[str, Any]:
    described = _original_describe(self)
    described["logGroupClass"] = getattr(self, "log_group_class", DEFAULT_CLASS)
    return described


def patch() -> None:
    """Apply the correction in this process."""
    LogsResponse.create_log_group = _create_log_group  # type: ignore[method-assign]
    LogGroup.to_describe_dict = _to_describe_dict  # type: ignore[method-assign]
