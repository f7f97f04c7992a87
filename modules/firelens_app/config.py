"""The small typed configuration that selects an environment.

The article's settings are the defaults. ``PipelineConfig.from_env()`` lets a
user pick another stage, region or state bucket without editing code::

    FIRELENS_STAGE=prod FIRELENS_REGION=us-east-1 npx cdktf synth
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from firelens_app.routing import article_routing
from firelens_cdktf import CompiledRouting, ConfigError, LogRouting, compile_routing
from firelens_cdktf.archive import JSON_FORMAT, RECORD_FORMATS
from firelens_cdktf.limits import KMS_KEY_ARN, REGION_NAME, S3_BUCKET_NAME

_STAGE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
#: ``kms_key`` value that has the pipeline stack create its own key.
STACK_KEY = "stack"


@dataclass(frozen=True)
class PipelineConfig:
    """Which environment the stacks describe.

    Args:
        stage: Short environment name used in resource names. Default: ``sample``.
        region: AWS region for every stack. Default: ``ap-northeast-1`` (the article's).
        state_bucket: Bucket that holds the Terraform state of the stacks that
            use the S3 backend; created by the ``state`` stack. S3 names are
            global, so pick your own for a real account. Default:
            ``firelens-<stage>-tfstate``.
        kms_key: Customer-managed keys, opt-in: ``"stack"`` has the pipeline stack create
            its own key (``alias/firelens-<stage>``), a key ARN (in ``region``) uses yours;
            either encrypts the archive and query-results buckets, the Firehose streams,
            every log group, the ECR repositories and the alarm topic with it
            (docs/hardening.md, "Customer-managed keys"). Default: ``""``, AWS-owned
            and AWS-managed keys, as the article has it.
        archive_format: ``"JSON"`` (the article's GZIP JSON lines) or ``"PARQUET"``: Firehose converts the
            archived records to Parquet with the archive table's columns (docs/archive-and-queries.md). Default:
            ``"JSON"``.

    Raises:
        ConfigError: a value that AWS would reject.
    """

    stage: str = "sample"
    region: str = "ap-northeast-1"
    state_bucket: str = ""
    kms_key: str = ""
    archive_format: str = JSON_FORMAT

    def __post_init__(self) -> None:
        if not _STAGE.match(self.stage):
            raise ConfigError(
                "PipelineConfig",
                "stage",
                self.stage,
                "1-20 characters: a lowercase letter, then lowercase letters, digits or '-'",
                "use a short name such as 'dev' or 'prod'",
            )
        if not REGION_NAME.match(self.region):
            raise ConfigError(
                "PipelineConfig",
                "region",
                self.region,
                "an AWS region name such as 'ap-northeast-1'",
                "set FIRELENS_REGION (or region=) to a region code, not a display name",
            )
        if not self.state_bucket:
            object.__setattr__(self, "state_bucket", f"firelens-{self.stage}-tfstate")
        if not S3_BUCKET_NAME.match(self.state_bucket) or ".." in self.state_bucket:
            raise ConfigError(
                "PipelineConfig",
                "state_bucket",
                self.state_bucket,
                "3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit",
                "set FIRELENS_STATE_BUCKET (or state_bucket=) to a valid S3 bucket name",
            )

        if self.archive_format not in RECORD_FORMATS:
            raise ConfigError(
                "PipelineConfig",
                "archive_format",
                self.archive_format,
                f"one of {', '.join(RECORD_FORMATS)}",
                "set FIRELENS_ARCHIVE_FORMAT (or archive_format=) to JSON or PARQUET",
            )
        if self.kms_key not in ("", STACK_KEY):
            key_region = self.kms_key.split(":")[3] if KMS_KEY_ARN.match(self.kms_key) else None
            if key_region != self.region:
                raise ConfigError(
                    "PipelineConfig",
                    "kms_key",
                    self.kms_key,
                    f"'' (no customer-managed key), {STACK_KEY!r} (the stack creates one) or the ARN of a "
                    f"KMS key in {self.region}",
                    "set FIRELENS_KMS_KEY (or kms_key=) to 'stack', or to arn:aws:kms:<region>:<account>:key/<id> "
                    "of a key in the pipeline's region",
                )

    def archive_bucket(self, stream: str) -> str:
        """Bucket a Firehose stream's LogArchive creates: ``firelens-<stage>-<stream>``.

        Stream names may hold upper case, ``_`` and ``.``; bucket names may not.
        """
        name = f"firelens-{self.stage}-{stream}".lower().replace("_", "-").replace(".", "-")
        return name[:63].rstrip("-")

    def repository_name(self, image: str) -> str:
        """ECR repository of one of the pipeline's images: ``<stage>/<image>``."""
        return f"{self.stage}/{image}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PipelineConfig:
        """Build from ``FIRELENS_STAGE``, ``FIRELENS_REGION``, ``FIRELENS_STATE_BUCKET``, ``FIRELENS_KMS_KEY``,
        ``FIRELENS_ARCHIVE_FORMAT``; unset means default."""
        env = os.environ if env is None else env
        names = {
            "stage": "FIRELENS_STAGE",
            "region": "FIRELENS_REGION",
            "state_bucket": "FIRELENS_STATE_BUCKET",
            "kms_key": "FIRELENS_KMS_KEY",
            "archive_format": "FIRELENS_ARCHIVE_FORMAT",
        }
        return cls(**{field: env[var] for field, var in names.items() if env.get(var)})


def pipeline_routing(config: PipelineConfig) -> CompiledRouting:
    """The article's routes, in the configured region, compiled (pure: no CDKTF is imported).

    What the pipeline stack deploys and what ``make run`` routes with.
    """
    return compile_routing(LogRouting(region=config.region, apps=article_routing().apps))
