"""AWS limits and provider settings the constructs validate against, in one place.

Each value cites the page it comes from.
"""

from __future__ import annotations

import re

#: Provider constraint written into ``required_providers`` instead of the
#: bindings' exact ``5.99.1`` pin: the bindings target the 5.99 schema, and any
#: later 5.x (e.g. the 5.100.0 in a local mirror) is schema-compatible.
#: https://developer.hashicorp.com/terraform/language/expressions/version-constraints
AWS_PROVIDER_CONSTRAINT = "~> 5.99"

#: S3 bucket names: 3-63 chars, lowercase letters, digits, dots, hyphens; start
#: and end with a letter or digit.
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

#: AWS region names such as ``ap-northeast-1`` or ``us-gov-west-1``.
#: https://docs.aws.amazon.com/general/latest/gr/rande.html
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")

#: Fargate task sizes: cpu units -> allowed memory (MiB).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

#: Retention values CloudWatch Logs accepts (days).
#: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)

#: Log group names: 1-512 chars of a-z A-Z 0-9 _ - / . #
#: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
LOG_GROUP_NAME = re.compile(r"^[A-Za-z0-9_\-/.#]{1,512}$")

#: Firehose delivery stream names: 1-64 chars of a-z A-Z 0-9 _ . -
#: https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html
FIREHOSE_STREAM_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")

#: Firehose S3 buffering: size 1-128 MiB, interval 0-900 s; defaults 5 MiB / 300 s.
#: https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
FIREHOSE_BUFFER_MIB = (1, 128)
FIREHOSE_BUFFER_SECONDS = (0, 900)

#: ECR repository names: 2-256 chars, lowercase, digits, separators . _ - and /.
#: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
ECR_REPOSITORY_NAME = re.compile(r"^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")

#: IAM role names: 1-64 chars of a-z A-Z 0-9 + = , . @ _ -
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")

#: ECS container names: 1-255 letters, digits, hyphens, underscores.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")

#: Longest stopTimeout Fargate allows (seconds).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout
FARGATE_MAX_STOP_TIMEOUT = 120

#: TCP ports.
PORT_RANGE = (1, 65535)
