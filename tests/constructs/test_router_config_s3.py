"""Router config from S3: the compiled files as objects AWS's stock init image downloads, no image to build.

Pure tests of the files and values, one synthesized stack for the Terraform
JSON (the objects, the log router's variables and options, the task role's
grants), and one stack applied to the emulator whose objects are read back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from cdktf import TerraformStack, Testing

from conftest import find, only, ref, resources, statements, synth_json, terraform
from firelens_cdktf import (
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ConfigError,
    ContainerImageRef,
    FirelensTaskDefinition,
    LogRouter,
    LogRouting,
    Route,
    aws_provider,
    compile_routing,
)
from firelens_cdktf.constructs import RouterConfigInS3, RouterConfigObjects
from firelens_cdktf.constructs.container_definitions import log_router_container
from firelens_cdktf.constructs.init_config import content_key, init_image_files
from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE
from firelens_cdktf.fluentbit.preview_io import load_for_preview
from firelens_cdktf.lint.checks import check_config
from firelens_cdktf.routing.compiler import CompiledRouting
from firelens_local.emulator import Emulator

REGION = "eu-west-1"
PREFIX = "payments-api/router"
BUCKET = "my-org-payments-router"
IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/web:1.0")
FILES = ("extra.conf", "parsers_json.conf")

pytestmark = pytest.mark.worker_seconds(60)


def routing(errors_group: str = "/payments/errors") -> CompiledRouting:
    return compile_routing(
        LogRouting(
            region=REGION,
            apps=(
                AppLogRouting(
                    "web",
                    default=CloudWatchLogs("/payments/app"),
                    routes=(
                        Route("errors", field="level", pattern="^error$", destination=CloudWatchLogs(errors_group)),
                    ),
                ),
            ),
        )
    )


COMPILED = routing()


# --- the files, as plain values ------------------------------------------------------------------------------


def test_delivered_extra_conf_is_the_compiled_one_without_its_parsers_file_line() -> None:
    delivered = init_image_files(COMPILED)
    removed = set(COMPILED.extra_conf.splitlines()) - set(delivered["extra.conf"].splitlines())
    assert (sorted(delivered), [line.split() for line in removed], delivered["parsers_json.conf"]) == (
        list(FILES),
        [["Parsers_File", COMPILED.parsers_path]],
        COMPILED.parsers_conf,
    )


def test_delivered_files_lint_clean_as_the_init_image_combines_them(tmp_path: Path) -> None:
    # The init process includes extra.conf and passes the parsers file with -R: load_for_preview combines
    # several files the same way, so the json parser the routes use must come from the parsers file.
    for name, text in init_image_files(COMPILED).items():
        (tmp_path / name).write_text(text)
    config, parsers = load_for_preview([str(tmp_path / "extra.conf"), str(tmp_path / "parsers_json.conf")])
    assert (config.parsers_files, sorted(parsers)) == ((), ["json"])
    assert check_config(config, containers=["web"], parsers=parsers) == COMPILED.warnings


def test_keys_change_exactly_when_the_bytes_change() -> None:
    same = content_key(PREFIX, "extra.conf", init_image_files(routing())["extra.conf"].encode())
    changed = content_key(PREFIX, "extra.conf", init_image_files(routing("/payments/other"))["extra.conf"].encode())
    original = content_key(PREFIX, "extra.conf", init_image_files(COMPILED)["extra.conf"].encode())
    assert (same == original, changed == original) == (True, False)
    assert original.startswith(f"{PREFIX}/") and original.endswith("/extra.conf")


def test_the_default_log_router_still_includes_its_config_file_from_the_image() -> None:
    router = log_router_container(
        LogRouter(image=ContainerImageRef.from_registry("public.ecr.aws/example/router:1.0")),
        log_group="/ecs/x/log_router",
        http_port=2020,
        region=REGION,
    )
    assert (router["firelensConfiguration"]["options"]["config-file-value"], "environment" in router) == (
        "/fluent-bit/etc/extra.conf",
        False,
    )


def test_from_s3_runs_the_pinned_stock_init_image() -> None:
    objects = RouterConfigObjects(bucket_arn=f"arn:aws:s3:::{BUCKET}", keys=("a/1/extra.conf",))
    assert LogRouter.from_s3(objects).image.uri == FLUENT_BIT_INIT_IMAGE


def test_fails_when_two_keys_share_a_file_name() -> None:
    with pytest.raises(ConfigError, match="distinct file names"):
        RouterConfigObjects(bucket_arn=f"arn:aws:s3:::{BUCKET}", keys=("a/1/extra.conf", "b/2/extra.conf"))


def test_fails_when_there_are_no_keys() -> None:
    with pytest.raises(ConfigError, match="at least one object key"):
        RouterConfigObjects(bucket_arn=f"arn:aws:s3:::{BUCKET}", keys=())


def test_fails_when_the_bucket_arn_is_not_a_bucket() -> None:
    with pytest.raises(ConfigError, match=r"bucket_arn='my-org-payments-router'.*arn:aws:s3:::<bucket>"):
        RouterConfigObjects(bucket_arn=BUCKET, keys=("a/1/extra.conf",))


def test_fails_when_a_config_file_is_given_with_objects_in_s3() -> None:
    objects = RouterConfigObjects(bucket_arn=f"arn:aws:s3:::{BUCKET}", keys=("a/1/extra.conf",))
    with pytest.raises(ConfigError, match="config_file='/fluent-bit/etc/mine.conf'.*drop config_file="):
        LogRouter(image=IMAGE, config_file="/fluent-bit/etc/mine.conf", config_from_s3=objects)


@pytest.mark.parametrize("prefix", ["/payments", "payments/", "pay//ments", "pay ments", ""])
def test_fails_when_the_key_prefix_is_not_a_plain_path(prefix: str) -> None:
    stack = TerraformStack(Testing.app(), "bad-prefix")
    with pytest.raises(ConfigError, match=r"RouterConfigInS3 'bad-prefix/config': key_prefix="):
        RouterConfigInS3(stack, "config", routing=COMPILED, bucket_name=BUCKET, key_prefix=prefix)


def test_fails_when_neither_or_both_buckets_are_given() -> None:
    stack = TerraformStack(Testing.app(), "buckets")
    with pytest.raises(ConfigError, match="bucket_name/bucket.*exactly one of them"):
        RouterConfigInS3(stack, "none", routing=COMPILED, key_prefix=PREFIX)
    with pytest.raises(ConfigError, match="bucket_name/bucket.*exactly one of them"):
        RouterConfigInS3(stack, "both", routing=COMPILED, key_prefix=PREFIX, bucket_name=BUCKET, bucket=BUCKET)


def test_fails_when_the_objects_hold_another_routing() -> None:
    stack = TerraformStack(Testing.app(), "mismatch")
    config = RouterConfigInS3(stack, "config", routing=routing("/payments/other"), bucket=BUCKET, key_prefix=PREFIX)
    with pytest.raises(ConfigError, match="log_router.config_from_s3.*same compiled routing"):
        FirelensTaskDefinition(
            stack, "task", family="payments-api", routing=COMPILED, log_router=LogRouter.from_s3(config.objects)
        )


# --- synthesized once --------------------------------------------------------------------------------------


def _stack(stack: TerraformStack) -> None:
    aws_provider(stack, region=REGION)
    config = RouterConfigInS3(
        stack, "router-config", routing=COMPILED, bucket_name=BUCKET, key_prefix=PREFIX, force_destroy=True
    )
    task = FirelensTaskDefinition(
        stack, "api-task", family="payments-api", routing=COMPILED, log_router=LogRouter.from_s3(config.objects)
    )
    task.add_container(AppContainer("web", IMAGE))


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "payments")
    _stack(stack)
    RouterConfigInS3(stack, "by-name", routing=COMPILED, bucket="team-existing-bucket", key_prefix="other")
    return json.loads(Testing.synth(stack, run_validations=True))


@pytest.fixture(scope="module")
def log_router(doc: dict[str, Any]) -> dict[str, Any]:
    definitions = json.loads(only(doc, "aws_ecs_task_definition")["container_definitions"])
    return next(c for c in definitions if c["name"] == "log_router")


def _objects(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The created bucket's objects, by file name."""
    bucket_id = ref(doc, "aws_s3_bucket", only(doc, "aws_s3_bucket"), "id")
    return {
        body["key"].rsplit("/", 1)[1]: body for body in resources(doc, "aws_s3_object") if body["bucket"] == bucket_id
    }


def _object_arn(doc: dict[str, Any], name: str) -> str:
    bucket_arn = ref(doc, "aws_s3_bucket", only(doc, "aws_s3_bucket"), "arn")
    return f"{bucket_arn}/{ref(doc, 'aws_s3_object', _objects(doc)[name], 'key')}"


def test_objects_hold_the_delivered_files_at_content_addressed_keys(doc: dict[str, Any]) -> None:
    delivered = init_image_files(COMPILED)
    assert {name: (body["key"], body["content"]) for name, body in _objects(doc).items()} == {
        name: (content_key(PREFIX, name, text.encode()), text) for name, text in delivered.items()
    }


def test_new_objects_exist_before_the_old_ones_go(doc: dict[str, Any]) -> None:
    assert {body["lifecycle"]["create_before_destroy"] for body in _objects(doc).values()} == {True}


def test_log_router_variables_name_each_object_by_arn(doc: dict[str, Any], log_router: dict[str, Any]) -> None:
    assert log_router["environment"] == [
        {"name": "aws_fluent_bit_init_s3_1", "value": _object_arn(doc, "extra.conf")},
        {"name": "aws_fluent_bit_init_s3_2", "value": _object_arn(doc, "parsers_json.conf")},
    ]


def test_firelens_includes_no_config_file_and_the_init_process_runs(log_router: dict[str, Any]) -> None:
    assert (
        log_router["image"],
        log_router["firelensConfiguration"]["options"],
        {"command", "entryPoint"} & set(log_router),
    ) == (FLUENT_BIT_INIT_IMAGE, {"enable-ecs-log-metadata": "true"}, set())


def test_task_role_may_read_exactly_the_objects_and_locate_their_bucket(doc: dict[str, Any]) -> None:
    policy = {s["Sid"]: s for s in statements(find(doc, "aws_iam_role_policy", name="route-logs")["policy"])}
    bucket_arn = ref(doc, "aws_s3_bucket", only(doc, "aws_s3_bucket"), "arn")
    s3 = {
        sid: (s["Action"], s["Resource"]) for sid, s in policy.items() if any(a.startswith("s3:") for a in s["Action"])
    }
    assert s3 == {
        "ReadRouterConfig": (["s3:GetObject"], [_object_arn(doc, name) for name in FILES]),
        "LocateRouterConfigBucket": (["s3:GetBucketLocation"], [bucket_arn]),
    }


def test_execution_role_gets_nothing_for_the_config(doc: dict[str, Any]) -> None:
    policy = find(doc, "aws_iam_role_policy", name="pull-and-log")["policy"]
    assert [a for s in statements(policy) for a in s["Action"] if a.startswith(("s3:", "ecr:"))] == []


def test_an_existing_bucket_is_named_in_the_stacks_partition(doc: dict[str, Any]) -> None:
    keys = [body["key"] for body in resources(doc, "aws_s3_object") if body["bucket"] == "team-existing-bucket"]
    assert sorted(key.rsplit("/", 1)[1] for key in keys) == list(FILES)
    assert len(resources(doc, "aws_s3_bucket")) == 1  # only the created one


# --- applied to the emulator ---------------------------------------------------------------------------------


class Applied(NamedTuple):
    emulator: Emulator
    workdir: Path


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> Applied:
    stack = TerraformStack(Testing.app(), "router-config")
    _stack(stack)
    workdir = tmp_path_factory.mktemp("router-config")
    (workdir / "cdk.tf.json").write_text(json.dumps(synth_json(stack)))
    env = emulator.env(REGION)
    terraform(workdir, "init", "-input=false", env=env)
    terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    return Applied(emulator, workdir)


def _client(service: str, emulator: Emulator) -> Any:
    return emulator.client(service, REGION)


def test_the_applied_task_definition_names_objects_that_hold_the_compiled_bytes(applied: Applied) -> None:
    definition = _client("ecs", applied.emulator).describe_task_definition(taskDefinition="payments-api")
    router = next(c for c in definition["taskDefinition"]["containerDefinitions"] if c["name"] == "log_router")
    s3 = _client("s3", applied.emulator)
    held = {}
    for variable in sorted(router["environment"], key=lambda v: v["name"]):
        bucket, key = variable["value"].removeprefix("arn:aws:s3:::").split("/", 1)
        held[variable["name"]] = (bucket, key, s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert held == {
        f"aws_fluent_bit_init_s3_{n}": (BUCKET, content_key(PREFIX, name, text.encode()), text.encode())
        for n, (name, text) in enumerate(sorted(init_image_files(COMPILED).items()), start=1)
    }
