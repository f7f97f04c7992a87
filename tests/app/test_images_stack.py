"""The images stack builds each docker/ folder and pushes it with ECR credentials.

It cannot be deployed or validated here (no Docker engine, and the docker
provider is not in the provider mirror): these synth tests are what runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from cdktf import Testing

from conftest import resources, synth_json
from firelens_app.config import PipelineConfig
from firelens_app.stacks.images import ImagesStack
from firelens_app.stacks.pipeline import DOCKER_DIR, IMAGES, PipelineStack
from firelens_cdktf.constructs.build_context import content_tag, read_context


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    app = Testing.app()
    config = PipelineConfig()
    return {
        "images": synth_json(ImagesStack(app, "images", config=config)),
        "pipeline": synth_json(PipelineStack(app, "pipeline", config=config)),
    }


def test_docker_provider_logs_in_with_an_ecr_token(docs: dict[str, dict[str, Any]]) -> None:
    [auth] = docs["images"]["provider"]["docker"][0]["registry_auth"]
    assert auth["password"].startswith("${data.aws_ecr_authorization_token.")


def test_every_image_is_built_from_its_docker_folder(docs: dict[str, dict[str, Any]]) -> None:
    contexts = sorted(r["build"]["context"] for r in resources(docs["images"], "docker_image"))
    assert contexts == sorted(str((DOCKER_DIR / folder).resolve()) for folder in IMAGES.values())


def test_pushed_tags_are_the_ones_the_task_definition_runs(docs: dict[str, dict[str, Any]]) -> None:
    pushed = {r["name"].rsplit(":", 1)[1] for r in resources(docs["images"], "docker_image")}
    expected = {content_tag(read_context(DOCKER_DIR / folder)) for folder in IMAGES.values()}
    task_definition = next(iter(docs["pipeline"]["resource"]["aws_ecs_task_definition"].values()))
    assert pushed == expected and all(tag in task_definition["container_definitions"] for tag in expected)


def test_pushed_images_stay_in_ecr_when_the_stack_is_destroyed(docs: dict[str, dict[str, Any]]) -> None:
    assert all(r["keep_remotely"] is True for r in resources(docs["images"], "docker_registry_image"))
