"""The pipeline stack makes its archive queryable by default: the table follows the stream's prefix,
the workgroup is enforced, and the stack can do without them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdktf import Testing

from conftest import only, ref, resources, synth_json
from firelens_app.config import PipelineConfig
from firelens_app.stacks.pipeline import ARCHIVE_FIRST_YEAR, PipelineStack, query_results_bucket
from firelens_cdktf.archive.schema import partition_template


@pytest.fixture(scope="module")
def pipeline(synthesized: Path) -> dict[str, Any]:
    return dict(json.loads((synthesized / "stacks" / "pipeline" / "cdk.tf.json").read_text()))


def test_archive_table_template_is_the_firehose_prefix_with_keys_for_expressions(pipeline: dict[str, Any]) -> None:
    stream = only(pipeline, "aws_kinesis_firehose_delivery_stream")
    table = only(pipeline, "aws_glue_catalog_table")
    bucket = stream["extended_s3_configuration"]["bucket_arn"].replace(".arn}", ".bucket}")
    template = partition_template(stream["extended_s3_configuration"]["prefix"]).replace("${", "$${")
    assert table["parameters"]["storage.location.template"] == f"s3://{bucket}/{template}"
    assert table["parameters"]["projection.year.range"] == f"{ARCHIVE_FIRST_YEAR},{ARCHIVE_FIRST_YEAR + 99}"
    assert table["database_name"] == ref(
        pipeline, "aws_glue_catalog_database", only(pipeline, "aws_glue_catalog_database"), "name"
    )


def test_workgroup_is_enforced_with_a_one_gib_cutoff_and_three_saved_queries(pipeline: dict[str, Any]) -> None:
    workgroup = only(pipeline, "aws_athena_workgroup")
    assert workgroup["name"] == "firelens-sample-put-s3-sample-metrics-logs"
    assert (
        workgroup["configuration"]["enforce_workgroup_configuration"],
        workgroup["configuration"]["bytes_scanned_cutoff_per_query"],
    ) == (True, 1024**3)
    assert len(resources(pipeline, "aws_athena_named_query")) == 3


def test_outputs_name_the_tables_workgroups_and_reader_policies(pipeline: dict[str, Any]) -> None:
    assert {"archive_tables", "athena_workgroups", "archive_reader_policies"} <= set(pipeline["output"])


def test_results_bucket_name_stays_within_s3s_63_characters() -> None:
    config = PipelineConfig()
    assert (
        query_results_bucket(config, "put-s3-sample-metrics-logs")
        == "firelens-sample-put-s3-sample-metrics-logs-results"
    )
    assert len(query_results_bucket(config, "x" * 80)) == 63


def test_archive_queries_can_be_switched_off() -> None:
    stack = PipelineStack(Testing.app(), "pipeline", config=PipelineConfig(), archive_queries=False)
    doc = synth_json(stack)
    assert not resources(doc, "aws_athena_workgroup") and not resources(doc, "aws_glue_catalog_table")
    assert "archive_tables" not in doc["output"]
