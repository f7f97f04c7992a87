"""AWS limits and provider settings the constructs validate against, in one place.

Each value cites the page it comes from.
"""

from __future__ import annotations

import re
from enum import StrEnum

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
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

#: Log group names: 1-512 chars of a-z A-Z 0-9 _ - / . #
#: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
LOG_GROUP_NAME = re.compile(r"^[A-Za-z0-9_\-/.#]{1,512}$")


class LogClass(StrEnum):
    """A log group's class (``logGroupClass``), fixed when the group is created.

    Infrequent Access halves the ingestion price and lacks the features in
    :data:`INFREQUENT_ACCESS_LACKS`. The third class, ``DELIVERY``, keeps
    events for one day and takes only AWS-vended Lambda logs, so a route
    cannot use it.
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html
    """

    STANDARD = "STANDARD"
    INFREQUENT_ACCESS = "INFREQUENT_ACCESS"


#: Where AWS lists what each log class supports.
LOG_CLASSES_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html"

#: Features of a Standard log group that an Infrequent Access group does not
#: have (feature -> what it is). The ones the library can see something use
#: are checked (:mod:`firelens_cdktf.lint.log_classes`); the rest are
#: documented. Logs Insights works in both classes (without ``pattern``,
#: ``diff``, ``filterIndex``, ``unmask``).
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData_Classes.html
INFREQUENT_ACCESS_LACKS: dict[str, str] = {
    "metric filter": "metric filters (aws_cloudwatch_log_metric_filter; no alarm on a log pattern)",
    "subscription filter": "subscription filters (aws_cloudwatch_log_subscription_filter) to Lambda, Kinesis "
    "or Firehose",
    "embedded metric format": "metrics extracted from embedded metric format (EMF) events",
    "live tail": "Live Tail",
    "data protection": "data protection policies (masking of sensitive data)",
    "anomaly detection": "log anomaly detection",
}

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

#: ECS container names: 1-255 letters, digits, hyphens, underscores.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")

#: Longest stopTimeout Fargate allows (seconds).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout
FARGATE_MAX_STOP_TIMEOUT = 120

#: TCP ports.
PORT_RANGE = (1, 65535)

# --- what the log router's AWS outputs may send in one API call ------------------------

#: Firehose PutRecordBatch: at most 500 records per call, and 4 MiB for the
#: whole request ("up to a limit of 4 MB for the entire request"; Fluent Bit's
#: kinesis_firehose output uses 4,194,304 bytes, PUT_RECORD_BATCH_PAYLOAD_SIZE).
#: The stand-in counts the records' data bytes against it.
#: https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
FIREHOSE_BATCH_MAX_RECORDS = 500
FIREHOSE_BATCH_MAX_BYTES = 4 * 1024 * 1024

#: Firehose record data: at most 1,000 KiB (1,024,000 bytes) before base64.
#: Fluent Bit discards a record whose JSON plus newline reaches it, and fills
#: a simple_aggregation record up to it (MAX_EVENT_SIZE in
#: plugins/out_kinesis_firehose/firehose_api.h).
#: https://docs.aws.amazon.com/firehose/latest/APIReference/API_Record.html
FIREHOSE_RECORD_MAX_BYTES = 1_024_000

#: Firehose bills direct-put ingestion per record rounded up to the next 5 KB,
#: 5,120 bytes ("a 3KB record is billed as 5KB, a 12KB record is billed as 15KB").
#: https://aws.amazon.com/firehose/pricing/
FIREHOSE_BILLING_INCREMENT_BYTES = 5_120

#: CloudWatch Logs PutLogEvents: at most 10,000 events and 1,048,576 bytes per
#: call, the size being the sum of the messages in UTF-8 plus 26 bytes per
#: event; events in chronological order; one call may span at most 24 hours.
#: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
CLOUDWATCH_BATCH_MAX_EVENTS = 10_000
CLOUDWATCH_BATCH_MAX_BYTES = 1_048_576
CLOUDWATCH_EVENT_OVERHEAD_BYTES = 26
CLOUDWATCH_BATCH_MAX_SPAN_MS = 24 * 60 * 60 * 1000

#: Fluent Bit 4.2.2's cloudwatch_logs output truncates an event message, as
#: escaped in the request, to 1,000,000 bytes: MAX_EVENT_LEN in
#: plugins/out_cloudwatch_logs/cloudwatch_api.h (fluent/fluent-bit, tag
#: v4.2.2, commit c994082f; releases before 4.2.2 used 262,118, 256 KiB minus the 26-byte
#: event overhead). The API takes events up to 1 MiB.
#: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_InputLogEvent.html
FLUENT_BIT_CLOUDWATCH_MAX_MESSAGE_BYTES = 1_000_000

#: S3 bucket names may not look like an IP address, nor use these reserved
#: prefixes and suffixes (access points, Object Lambda, directory and table buckets).
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_BUCKET_IP_LIKE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
S3_BUCKET_RESERVED_PREFIXES: tuple[str, ...] = ("xn--", "sthree-", "amzn-s3-demo-")
S3_BUCKET_RESERVED_SUFFIXES: tuple[str, ...] = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3")

#: ``log-driver-buffer-limit`` of an ``awsfirelens`` log configuration: log
#: lines the Fluentd Docker log driver buffers in memory; Docker's default is
#: 1,048,576 lines; the value must be at least 0 and less than 536870912.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-docker-buffer-limit.html
LOG_DRIVER_BUFFER_LIMIT_RANGE = (0, 536_870_911)
#: Average line size AWS uses in that page's sizing example (2 KiB): what a
#: buffered line is assumed to cost when the task's memory is checked.
LOG_DRIVER_ASSUMED_LINE_BYTES = 2048

#: Ports FireLens's generated Fluent Bit config listens on inside every
#: awsvpc task (the forward input and the TCP health-check input); the app
#: shares the task's localhost, so it must not bind them.
#: aws/amazon-ecs-agent agent/taskresource/firelens/firelensconfig_unix.go
#: (inputPortValue, healthcheckInputPortValue)
FIRELENS_RESERVED_PORTS: tuple[int, ...] = (24224, 8877)

#: Standard SNS topic ARNs. A FIFO topic (``.fifo``) is refused: it delivers
#: only to SQS FIFO queues, never to the e-mail or chat subscribers alarms are for.
#: https://docs.aws.amazon.com/sns/latest/dg/sns-fifo-topics.html
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")

#: Firehose keeps retrying delivery to S3 for up to 24 hours; a freshness
#: threshold above that can never fire (older records go to the error prefix).
#: https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html#retry
FIREHOSE_MAX_RETRY_SECONDS = 86_400

#: ECS cluster names: 1-255 letters, digits, hyphens and underscores; a cluster ARN ends in ``cluster/<name>``.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html
ECS_CLUSTER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
ECS_CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster/([A-Za-z0-9_-]{1,255})$")

#: Secrets a container reads at start (ECS ``secrets``), as the execution role must name them in IAM:
#: an SSM parameter's full ARN (``ssm:GetParameters``), a Secrets Manager secret's full ARN with the
#: six characters AWS appends to its name (``secretsmanager:GetSecretValue``), a KMS key's ARN (not an
#: alias: ``kms:Decrypt`` is granted on keys).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
#: https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
SSM_PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9_.\-/]{1,2048}$")
SECRETS_MANAGER_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}$"
)
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]{1,128}$")
#: Environment variable names ECS passes to a container (and a secret's name is one).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KeyValuePair.html
ENVIRONMENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
#: A container's cpu units and memory on Fargate: the task's largest size bounds them; Docker needs 6 MiB.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
CONTAINER_CPU_RANGE = (0, 16384)
CONTAINER_MEMORY_MIB_RANGE = (6, 122880)
#: ECS waits this long before load balancer health checks count (``healthCheckGracePeriodSeconds``).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
HEALTH_CHECK_GRACE_PERIOD_RANGE = (0, 2_147_483_647)
#: A target group's ARN (``elasticloadbalancing``), which a service's load balancer entry names.
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroup.html
TARGET_GROUP_ARN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$"
)
#: Security group ids.
#: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroup.html
SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
