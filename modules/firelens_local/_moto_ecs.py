"""The emulator's ECS correction: ``CreateService`` keeps ``availabilityZoneRebalancing``.

moto 5.2.1's ``CreateService`` (``moto/ecs/responses.py``) passes a fixed list
of parameters to the backend and drops ``availabilityZoneRebalancing``, so
``DescribeServices`` leaves it out until an ``UpdateService`` sets it (update
copies every parameter onto the service). The AWS provider sends it on
create (``availability_zone_rebalancing``, default ``DISABLED``) and, reading
nothing back, planned one in-place update after every new service: the
second ``make run`` and the first ``make plan`` after a deploy were not
"No changes". Real ECS returns what was created
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).

Run in the moto server's process by :func:`firelens_local._moto_server.patch`.
"""

from __future__ import annotations

from typing import Any

from moto.ecs.responses import EC2ContainerServiceResponse

_original_create_service = EC2ContainerServiceResponse.create_service


def _create_service(self: EC2ContainerServiceResponse) -> Any:
    result = _original_create_service(self)
    rebalancing = self._get_param("availabilityZoneRebalancing")
    if rebalancing is not None:
        created: Any = result.result  # moto's ActionResult wraps the service dict untyped
        created["service"].availability_zone_rebalancing = rebalancing
    return result


def patch() -> None:
    """Apply the correction in this process."""
    EC2ContainerServiceResponse.create_service = _create_service  # type: ignore[method-assign]
