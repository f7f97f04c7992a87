"""The emulator's Athena corrections: the calls Terraform's provider makes that moto 5.2.1 gets wrong or lacks.

Found by applying the pipeline stack (``aws_athena_workgroup``,
``aws_athena_named_query``) to the emulator:

- ``ListTagsForResource`` on a workgroup without tags: moto answers "Athena
  Resource ... Does Not Exist" (``moto/athena/responses.py`` errors whenever
  its tagger holds no tags for the ARN), and the provider fails the create.
  Real Athena returns an empty tag list for an existing resource
  (https://docs.aws.amazon.com/athena/latest/APIReference/API_ListTagsForResource.html).
- ``DeleteNamedQuery``: not implemented, so ``destroy`` of a named query fails
  (https://docs.aws.amazon.com/athena/latest/APIReference/API_DeleteNamedQuery.html).
- ``UpdateWorkGroup``: not implemented, so any change to a workgroup fails;
  here it applies ``ConfigurationUpdates`` as the API describes
  (https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfigurationUpdates.html).

Run in the moto server's process by :func:`firelens_local._moto_server.patch`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.athena.models import AthenaBackend
from moto.athena.responses import AthenaResponse

#: ``WorkGroupConfigurationUpdates`` fields copied as they are onto the configuration.
_SAME_NAME_UPDATES = (
    "EnforceWorkGroupConfiguration",
    "PublishCloudWatchMetricsEnabled",
    "BytesScannedCutoffPerQuery",
    "RequesterPaysEnabled",
    "EngineVersion",
    "ExecutionRole",
    "EnableMinimumEncryptionConfiguration",
)


def _taggable_arns(backend: AthenaBackend) -> set[str]:
    """ARNs of the resources moto's Athena can tag that exist in ``backend``."""
    resources = [
        *backend.work_groups.values(),
        *backend.data_catalogs.values(),
        *backend.capacity_reservations.values(),
    ]
    return {resource.arn for resource in resources}


def _list_tags_for_resource(self: AthenaResponse) -> Any:
    arn = self._get_param("ResourceARN")
    backend = self.athena_backend
    if arn in _taggable_arns(backend):
        return json.dumps(backend.tagger.list_tags_for_resource(arn) if backend.tagger.has_tags(arn) else {"Tags": []})
    return self.error(f"Athena Resource, {arn} Does Not Exist", 400)


def _delete_named_query(self: AthenaResponse) -> Any:
    query_id = self._get_param("NamedQueryId")
    if self.athena_backend.named_queries.pop(query_id, None) is None:
        return self.error(f"Named query {query_id} does not exist", 400)
    return json.dumps({})


def apply_configuration_updates(configuration: dict[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
    """``configuration`` after a ``WorkGroupConfigurationUpdates``: what UpdateWorkGroup does to it.

    Example:
        >>> apply_configuration_updates({"BytesScannedCutoffPerQuery": 10}, {"RemoveBytesScannedCutoffPerQuery": True})
        {}
    """
    updated = dict(configuration)
    for field in _SAME_NAME_UPDATES:
        if field in updates:
            updated[field] = updates[field]
    if updates.get("RemoveBytesScannedCutoffPerQuery"):
        updated.pop("BytesScannedCutoffPerQuery", None)
    results = dict(updated.get("ResultConfiguration") or {})
    result_updates = updates.get("ResultConfigurationUpdates") or {}
    for field in ("OutputLocation", "EncryptionConfiguration", "ExpectedBucketOwner", "AclConfiguration"):
        if result_updates.get(f"Remove{field}"):
            results.pop(field, None)
        elif field in result_updates:
            results[field] = result_updates[field]
    if results:
        updated["ResultConfiguration"] = results
    else:
        updated.pop("ResultConfiguration", None)
    return updated


def _update_work_group(self: AthenaResponse) -> Any:
    name = self._get_param("WorkGroup")
    group = self.athena_backend.work_groups.get(name)
    if group is None:
        return self.error(f"WorkGroup {name} is not found.", 400)
    if self._get_param("Description") is not None:
        group.description = self._get_param("Description")
    if self._get_param("State") is not None:
        group.state = self._get_param("State")
    group.configuration = apply_configuration_updates(
        group.configuration, self._get_param("ConfigurationUpdates") or {}
    )
    return json.dumps({})


def patch() -> None:
    """Apply the Athena corrections in this process."""
    AthenaResponse.list_tags_for_resource = _list_tags_for_resource  # type: ignore[method-assign]
    AthenaResponse.delete_named_query = _delete_named_query  # type: ignore[attr-defined]
    AthenaResponse.update_work_group = _update_work_group  # type: ignore[attr-defined]
