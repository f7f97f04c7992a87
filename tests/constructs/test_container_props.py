"""The containers' value objects, without synth: secrets, ports, commands and sizes check themselves where built."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from firelens_cdktf import AppContainer, ConfigError, ContainerImageRef, PortMapping, Secret

IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/app:1.0")
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-AbCdEf"
PARAMETER = "arn:aws:ssm:eu-west-1:123456789012:parameter/payments/api-key"


def test_a_key_of_a_json_secret_is_read_with_ecs_value_from_syntax() -> None:
    assert Secret.from_secrets_manager(SECRET, json_key="url").value_from == f"{SECRET}:url::"


def test_a_port_mapping_is_not_opened_unless_it_names_a_cidr_block() -> None:
    assert (PortMapping(9090).ingress_cidr, PortMapping(9090, ingress_cidr="10.0.0.0/16").ingress_cidr) == (
        None,
        "10.0.0.0/16",
    )


def test_the_articles_port_comes_first_among_the_mapped_ports() -> None:
    container = AppContainer("api", IMAGE, port=3000, port_mappings=(PortMapping(9090),))
    assert [m.container_port for m in container.mapped_ports] == [3000, 9090]


@pytest.mark.parametrize(
    ("build", "where", "field", "allowed"),
    [
        (lambda: Secret.from_ssm_parameter(SECRET), "Secret", "arn", "an SSM parameter ARN"),
        (
            lambda: Secret.from_secrets_manager(SECRET.removesuffix("-AbCdEf")),
            "Secret",
            "arn",
            "ending in the 6 characters AWS appends",
        ),
        (
            lambda: Secret(PARAMETER, Secret.from_ssm_parameter(PARAMETER).source, json_key="url"),
            "Secret",
            "json_key",
            "None",
        ),
        (
            lambda: Secret.from_ssm_parameter(PARAMETER, kms_key_arn="arn:aws:kms:eu-west-1:123456789012:alias/app"),
            "Secret",
            "kms_key_arn",
            "not aliases",
        ),
        (lambda: PortMapping(8877), "PortMapping", "container_port", "any port but 24224, 8877"),
        (lambda: PortMapping(80, ingress_cidr="everyone"), "PortMapping", "ingress_cidr", "CIDR"),
        (lambda: AppContainer("api", IMAGE, command="bundle exec puma"), "AppContainer", "command", "tuple of strings"),  # type: ignore[arg-type]
        (
            lambda: AppContainer(
                "api", IMAGE, environment={"TOKEN": "x"}, secrets={"TOKEN": Secret.from_ssm_parameter(PARAMETER)}
            ),
            "AppContainer",
            "secrets",
            "names not also in environment",
        ),
        (
            lambda: AppContainer("api", IMAGE, memory_mib=256, memory_reservation_mib=512),
            "AppContainer",
            "memory_reservation_mib",
            "at most memory_mib=256",
        ),
        (
            lambda: AppContainer("api", IMAGE, port=8080, port_mappings=(PortMapping(8080),)),
            "AppContainer",
            "port_mappings",
            "each port once",
        ),
    ],
)
def test_fails_when_a_value_cannot_work(build: Callable[[], object], where: str, field: str, allowed: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{where}\(.*\): {field}=.*allowed: .*{allowed}"):
        build()
