"""A LogArchive shared by services: one stream per service under ``service=<name>/``, each service's grant,
table, saved queries and reader policy limited to its own partition; lifecycle tiering."""

from __future__ import annotations

from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from conftest import find, ref, resources, statements, synth_json
from firelens_cdktf import (
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ContainerImageRef,
    FirehoseStream,
    FirelensService,
    LogArchive,
    LogRouter,
    LogRouting,
    Route,
    compile_routing,
)
from firelens_cdktf.archive import STRING, Column, SavedQuery, service_stream_name
from firelens_cdktf.constructs import ArchiveQueries
from firelens_cdktf.errors import ConfigError

IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/app:1")
ROUTER = LogRouter(ContainerImageRef.from_registry("public.ecr.aws/example/router:1"))
SERVICES = ("payments-api", "payments-worker")


def _count(table: str) -> tuple[SavedQuery, ...]:
    sql = f'SELECT count(*) FROM "{table}" WHERE "year" = ? AND "month" = ? AND "day" = ?'
    return (SavedQuery("count", f"{table}: rows of a day", "Rows of one day.", sql),)


def _archive(stack: TerraformStack, **options: Any) -> LogArchive:
    return LogArchive(
        stack, "audit", stream_name="payments-audit", bucket_name="payments-audit-archive", services=SERVICES, **options
    )


def _audit_routing(service: str) -> Any:
    audit = Route(
        "audit",
        field="audit",
        pattern="^true$",
        destination=FirehoseStream(service_stream_name("payments-audit", service)),
    )
    return compile_routing(
        LogRouting(
            region="ap-northeast-1",
            apps=(AppLogRouting("app", default=CloudWatchLogs(f"/{service}/app"), routes=(audit,)),),
        )
    )


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "team")
    archive = _archive(stack, transition_days=30, expiration_days=365)
    for service in SERVICES:
        FirelensService(
            stack,
            service,
            name=service,
            routing=_audit_routing(service),
            containers=(AppContainer("app", IMAGE),),
            log_router=ROUTER,
            log_archives=(archive,),
        )
    common = {"first_year": 2026, "columns": (Column("message", STRING),)}
    database = None
    for service in SERVICES:
        queries = ArchiveQueries(
            stack,
            f"queries-{service}",
            archive=archive,
            service=service,
            workgroup_name=f"{service}-audit",
            results_bucket_name=f"{service}-audit-results",
            queries=_count,
            **({"database": database} if database else {"database_name": "payments_logs"}),
            **common,
        )
        database = queries.database
    ArchiveQueries(
        stack,
        "queries-all",
        archive=archive,
        database=database,
        workgroup_name="payments-audit-all",
        results_bucket_name="payments-audit-all-results",
        **common,
    )
    return synth_json(stack)


def _stream(doc: dict[str, Any], service: str) -> dict[str, Any]:
    return find(doc, "aws_kinesis_firehose_delivery_stream", name=f"payments-audit-{service}")


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_stream_under_its_own_partition(doc: dict[str, Any], service: str) -> None:
    s3 = _stream(doc, service)["extended_s3_configuration"]
    assert s3["prefix"] == f"service={service}/year=!{{timestamp:yyyy}}/month=!{{timestamp:MM}}/day=!{{timestamp:dd}}/"
    assert s3["error_output_prefix"].startswith(f"errors/service={service}/year=")
    assert "!{firehose:error-output-type}" in s3["error_output_prefix"]


def test_the_streams_share_one_bucket_one_delivery_role_and_one_error_group(doc: dict[str, Any]) -> None:
    configs = [_stream(doc, s)["extended_s3_configuration"] for s in SERVICES]
    assert len({c["bucket_arn"] for c in configs}) == len({c["role_arn"] for c in configs}) == 1
    firehose_groups = [g for g in resources(doc, "aws_cloudwatch_log_group") if "firehose" in g["name"]]
    assert [g["name"] for g in firehose_groups] == ["/aws/kinesisfirehose/payments-audit"]
    assert len(resources(doc, "aws_kinesis_firehose_delivery_stream")) == 2


def test_each_stream_has_its_alarms(doc: dict[str, Any]) -> None:
    watched = {
        alarm["dimensions"]["DeliveryStreamName"]
        for alarm in resources(doc, "aws_cloudwatch_metric_alarm")
        if "DeliveryStreamName" in alarm.get("dimensions", {})
    }
    assert watched == {f"payments-audit-{s}" for s in SERVICES}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_task_may_put_only_to_its_own_stream(doc: dict[str, Any], service: str) -> None:
    stream = ref(doc, "aws_kinesis_firehose_delivery_stream", _stream(doc, service), "arn")
    policies = {
        p["role"]: p for p in resources(doc, "aws_iam_role_policy") if p["name"] == "route-logs"
    }  # one per service's task role
    [policy] = [p for role, p in policies.items() if service in role]
    put = next(s for s in statements(policy["policy"]) if s["Sid"] == "PutRecordsToRoutedStreams")
    assert put["Resource"] == [stream]


@pytest.mark.parametrize("service", SERVICES)
def test_a_team_table_reads_only_its_service_partition(doc: dict[str, Any], service: str) -> None:
    table = find(doc, "aws_glue_catalog_table", name=f"payments_audit_{service.replace('-', '_')}")
    template = table["parameters"]["storage.location.template"]
    assert template.endswith(f"/service={service}/year=$${{year}}/month=$${{month}}/day=$${{day}}/")
    assert [k["name"] for k in table["partition_keys"]] == ["year", "month", "day"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_team_reader_may_read_only_its_service_partition(doc: dict[str, Any], service: str) -> None:
    policy = find(doc, "aws_iam_policy", name_prefix=f"{service}-audit-reader-")
    reads = next(s for s in statements(policy["policy"]) if s["Sid"] == "ReadArchiveObjects")
    bucket = ref(doc, "aws_s3_bucket", find(doc, "aws_s3_bucket", bucket="payments-audit-archive"), "arn")
    assert reads["Resource"] == [f"{bucket}/service={service}/year=*"]


def test_the_table_over_every_service_projects_the_service_key_as_injected(doc: dict[str, Any]) -> None:
    table = find(doc, "aws_glue_catalog_table", name="payments_audit")
    assert [k["name"] for k in table["partition_keys"]] == ["service", "year", "month", "day"]
    assert table["parameters"]["projection.service.type"] == "injected"
    assert "/service=$${service}/year=$${year}/" in table["parameters"]["storage.location.template"]


def test_archived_objects_move_to_infrequent_access_after_the_days_given(doc: dict[str, Any]) -> None:
    rules = {r["id"]: r for r in resources(doc, "aws_s3_bucket_lifecycle_configuration")[0]["rule"]}
    assert rules["tier-archived-logs"]["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    assert rules["expire-archived-logs"]["expiration"] == [{"days": 365}]


def test_one_stream_archives_have_no_stream_per_service_accessor() -> None:
    stack = TerraformStack(Testing.app(), "one")
    archive = _archive(stack)
    with pytest.raises(ConfigError, match=r"stream=.*one per service.*stream_for\('payments-api'\)"):
        archive.stream  # noqa: B018
    with pytest.raises(ConfigError, match=r"service='payments-apj'.*did you mean 'payments-api'"):
        archive.stream_name_for("payments-apj")
    assert archive.stream_for("payments-worker") is archive.streams["payments-audit-payments-worker"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"services": ()}, r"services=\(\).*a non-empty list"),
        ({"services": "api"}, r"services='api'.*a non-empty list"),
        ({"services": ("api", "api")}, r"services='api'.*each service once"),
        ({"services": ("api/v2",)}, r"services='api/v2'.*ECS service names"),
        ({"services": ("x" * 60,)}, r"fits Firehose's 64 characters.*shorten stream_name"),
        ({"services": None, "transition_days": 10}, r"transition_days=10.*at least 30 day"),
        ({"services": None, "transition_days": 30, "transition_storage_class": "GLACIER"}, r"GLACIER.*Athena reads"),
        ({"services": None, "transition_days": 400}, r"transition_days=400.*before expiration_days \(365\)"),
    ],
)
def test_settings_that_cannot_work_are_refused(options: dict[str, Any], message: str) -> None:
    stack = TerraformStack(Testing.app(), "bad")
    with pytest.raises(ConfigError, match=message):
        LogArchive(stack, "audit", stream_name="payments-audit", bucket_name="payments-audit-archive", **options)


def test_queries_name_a_service_only_on_a_shared_archive_and_save_queries_only_per_service() -> None:
    stack = TerraformStack(Testing.app(), "queries")
    single = LogArchive(stack, "single", stream_name="sql-logs", bucket_name="my-sql-logs")
    shared = _archive(stack)
    common: dict[str, Any] = {
        "workgroup_name": "wg",
        "first_year": 2026,
        "database_name": "logs",
        "results_bucket_name": "my-results",
        "columns": (Column("message", STRING),),
    }
    with pytest.raises(ConfigError, match=r"service='payments-api'.*the archive has no services"):
        ArchiveQueries(stack, "q1", archive=single, service="payments-api", **common)
    with pytest.raises(ConfigError, match=r"queries=.*no saved queries on the table over every service"):
        ArchiveQueries(stack, "q2", archive=shared, queries=_count, **common)
    with pytest.raises(ConfigError, match=r"did you mean 'payments-worker'"):
        ArchiveQueries(stack, "q3", archive=shared, service="payments-wroker", **common)
    with pytest.raises(ConfigError, match=r"none named service, year, month or day"):
        ArchiveQueries(stack, "q4", archive=shared, **{**common, "columns": (Column("service", STRING),)})


def test_a_route_to_a_service_missing_from_the_shared_archive_says_how_to_add_it() -> None:
    stack = TerraformStack(Testing.app(), "missing")
    archive = LogArchive(
        stack, "audit", stream_name="payments-audit", bucket_name="payments-audit-archive", services=("payments-api",)
    )
    with pytest.raises(ConfigError, match=r"add the service to LogArchive\('payments-audit', services=...\)"):
        FirelensService(
            stack,
            "worker",
            name="payments-worker",
            routing=_audit_routing("payments-worker"),
            containers=(AppContainer("app", IMAGE),),
            log_router=ROUTER,
            log_archives=(archive,),
        )


def test_an_upgrade_keeps_the_one_writer_stream_at_its_address_while_the_services_move() -> None:
    before = TerraformStack(Testing.app(), "before")
    LogArchive(before, "audit", stream_name="payments-audit", bucket_name="payments-audit-archive")
    during = TerraformStack(Testing.app(), "during")
    LogArchive(
        during,
        "audit",
        stream_name="payments-audit",
        bucket_name="payments-audit-archive",
        services=SERVICES,
        keep_unpartitioned_stream=True,
    )
    old, new = (resources_by_address(synth_json(s), "aws_kinesis_firehose_delivery_stream") for s in (before, during))
    [(address, stream)] = old.items()
    assert new[address] == stream  # same address, same settings: the deploy changes nothing about it
    assert sorted(s["name"] for s in new.values()) == [
        "payments-audit",
        "payments-audit-payments-api",
        "payments-audit-payments-worker",
    ]


@pytest.mark.parametrize(
    ("options", "fix"),
    [({}, "leave it out"), ({"services": SERVICES, "record_format": "PARQUET"}, "then convert to Parquet")],
)
def test_keeping_the_one_writer_stream_needs_services_and_json(options: dict[str, Any], fix: str) -> None:
    stack = TerraformStack(Testing.app(), "keep")
    with pytest.raises(ConfigError, match=rf"keep_unpartitioned_stream=True.*only with services=.*{fix}"):
        LogArchive(
            stack,
            "audit",
            stream_name="payments-audit",
            bucket_name="payments-audit-archive",
            keep_unpartitioned_stream=True,
            **options,
        )


def resources_by_address(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {f"{kind}.{name}": body for name, body in doc["resource"][kind].items()}
