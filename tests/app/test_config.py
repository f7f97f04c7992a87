"""PipelineConfig: the article's defaults, environment overrides, clear errors."""

from __future__ import annotations

import pytest

from firelens_app.config import PipelineConfig
from firelens_cdktf.errors import ConfigError


def test_defaults_are_the_articles_settings() -> None:
    config = PipelineConfig()
    assert (config.stage, config.region, config.state_bucket) == ("sample", "ap-northeast-1", "firelens-sample-tfstate")


def test_from_env_reads_the_firelens_variables() -> None:
    config = PipelineConfig.from_env({"FIRELENS_STAGE": "prod", "FIRELENS_REGION": "us-east-1"})
    assert (config.stage, config.region, config.state_bucket) == ("prod", "us-east-1", "firelens-prod-tfstate")


def test_from_env_treats_empty_values_as_unset() -> None:
    assert PipelineConfig.from_env({"FIRELENS_STAGE": ""}) == PipelineConfig()


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("stage", "Prod", "lowercase letter"),
        ("region", "Tokyo", "AWS region name"),
        ("state_bucket", "my_bucket", "3-63 lowercase"),
    ],
)
def test_fails_when_a_field_has_a_value_aws_rejects(field: str, value: str, allowed: str) -> None:
    with pytest.raises(ConfigError, match=rf"PipelineConfig: {field}='{value}' is not valid; allowed: .*{allowed}"):
        PipelineConfig(**{field: value})
