"""The emulator's Athena corrections: the calls Terraform's provider makes for workgroups and named queries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from firelens_local import _moto_server
from firelens_local._moto_athena import apply_configuration_updates

REGION = "ap-northeast-1"


@pytest.fixture
def athena() -> Iterator[Any]:
    _moto_server.patch()
    with mock_aws():
        client = boto3.client(
            "athena", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        client.create_work_group(Name="wg", Configuration={"EnforceWorkGroupConfiguration": True})
        yield client


def _arn(name: str) -> str:
    return f"arn:aws:athena:{REGION}:123456789012:workgroup/{name}"


def test_a_workgroup_without_tags_lists_no_tags(athena: Any) -> None:
    assert athena.list_tags_for_resource(ResourceARN=_arn("wg"))["Tags"] == []


def test_tags_of_a_tagged_workgroup_are_listed(athena: Any) -> None:
    athena.tag_resource(ResourceARN=_arn("wg"), Tags=[{"Key": "team", "Value": "sre"}])
    assert athena.list_tags_for_resource(ResourceARN=_arn("wg"))["Tags"] == [{"Key": "team", "Value": "sre"}]


def test_fails_to_list_tags_of_a_workgroup_that_does_not_exist(athena: Any) -> None:
    with pytest.raises(ClientError, match="Does Not Exist"):
        athena.list_tags_for_resource(ResourceARN=_arn("missing"))


def test_a_named_query_can_be_deleted(athena: Any) -> None:
    query_id = athena.create_named_query(Name="q", Database="db", QueryString="SELECT 1", WorkGroup="wg")[
        "NamedQueryId"
    ]
    athena.delete_named_query(NamedQueryId=query_id)
    assert athena.list_named_queries(WorkGroup="wg")["NamedQueryIds"] == []
    with pytest.raises(ClientError, match="does not exist"):
        athena.delete_named_query(NamedQueryId=query_id)


def test_update_work_group_changes_what_it_names(athena: Any) -> None:
    athena.update_work_group(
        WorkGroup="wg",
        Description="new",
        ConfigurationUpdates={
            "BytesScannedCutoffPerQuery": 10_000_000,
            "ResultConfigurationUpdates": {"OutputLocation": "s3://results/"},
        },
    )
    group = athena.get_work_group(WorkGroup="wg")["WorkGroup"]
    assert group["Description"] == "new"
    assert group["Configuration"]["BytesScannedCutoffPerQuery"] == 10_000_000
    assert group["Configuration"]["ResultConfiguration"] == {"OutputLocation": "s3://results/"}


def test_configuration_updates_remove_what_they_say_to_remove() -> None:
    configuration = {"BytesScannedCutoffPerQuery": 5, "ResultConfiguration": {"OutputLocation": "s3://a/"}}
    assert (
        apply_configuration_updates(
            configuration,
            {"RemoveBytesScannedCutoffPerQuery": True, "ResultConfigurationUpdates": {"RemoveOutputLocation": True}},
        )
        == {}
    )
