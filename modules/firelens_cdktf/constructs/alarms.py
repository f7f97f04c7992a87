"""CloudWatch alarms that say when logs stop reaching their destination or are lost.

What each alarm watches, as plain values (:class:`AlarmSpec`, no CDKTF), and
two thin constructs that turn them into resources:

- :class:`FirehoseDeliveryAlarms` (one per :class:`~firelens_cdktf.constructs.log_archive.LogArchive`):
  ``DeliveryToS3.Success`` below 1 (a delivery to S3 failed),
  ``DeliveryToS3.DataFreshness`` above a threshold (records wait too long:
  delivery keeps failing or cannot keep up), ``ThrottledRecords`` above 0
  (the stream refused records the router sent).
  https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
- :class:`RouterLogLossAlarm` (one per :class:`~firelens_cdktf.constructs.firelens_service.FirelensService`):
  metric filters on the log router's own log group count the two lines AWS
  names as proof of lost logs, a chunk whose retries are exhausted
  (``[error]``, ``[ warn]`` in older Fluent Bit, ``... cannot be retried``)
  and an input paused because its buffer is full; any occurrence alarms.
  Ordinary ``[error]`` lines are not counted: AWS's guide says they are
  retried and mean no loss, and alarming on them would cry wolf.
  https://github.com/aws/aws-for-fluent-bit/blob/mainline/troubleshooting/debugging.md#how-do-i-tell-if-fluent-bit-is-losing-logs

Every alarm notifies the SNS topic given (on ALARM and back to OK), or no one
when there is none: the state still shows in the console and in
``DescribeAlarms``. Missing data is "not breaching": an idle stream emits no
Firehose metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm

from constructs import Construct
from firelens_cdktf.constructs._validation import check_topic_arn, where_of

#: Period every alarm evaluates (s): Firehose publishes its metrics every 5 minutes at most.
PERIOD_SECONDS = 300
#: Namespace of the metrics the router's metric filters publish (``FireLens/<service>``).
ROUTER_METRIC_NAMESPACE = "FireLens"
#: Metric the log-loss filters publish to.
ROUTER_LOG_LOSS_METRIC = "RouterLogsLost"
#: Filter name -> CloudWatch Logs filter pattern; each matches one kind of line
#: AWS's debugging guide names as lost logs (see the module docstring).
ROUTER_LOG_LOSS_PATTERNS: dict[str, str] = {
    "retries-exhausted": '"cannot be retried"',
    "input-paused": '"paused (mem buf overlimit)"',
}


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch metric alarm, as a value.

    Args:
        name: Alarm name (unique in the account and region).
        description: What it means and where to look.
        namespace, metric, statistic: The metric watched.
        comparison: A CloudWatch ``ComparisonOperator``.
        threshold: Compared with the statistic over each period.
        dimensions: Metric dimensions. Default: none.
    """

    name: str
    description: str
    namespace: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    dimensions: Mapping[str, str] = field(default_factory=dict)


def firehose_alarm_specs(
    stream_name: str, *, freshness_threshold_seconds: int, converts: bool = False
) -> tuple[AlarmSpec, ...]:
    """The three alarms of a delivery stream (see the module docstring), and a fourth when it converts
    records to Parquet: ``FailedConversion.Records`` above 0 (records Firehose could not convert went to the
    error prefix, out of the table's reach)."""
    dimensions = {"DeliveryStreamName": stream_name}
    conversion = (
        AlarmSpec(
            name=f"{stream_name}-failed-conversion",
            description=f"Firehose {stream_name} could not convert records to Parquet (FailedConversion.Records "
            "> 0): they are under the bucket's errors/.../format-conversion-failed/ prefix, as JSON, and no query "
            "of the table reads them. Fix the records or the table's columns.",
            namespace="AWS/Firehose",
            metric="FailedConversion.Records",
            statistic="Sum",
            comparison="GreaterThanThreshold",
            threshold=0,
            dimensions=dimensions,
        ),
    )
    return (
        AlarmSpec(
            name=f"{stream_name}-delivery-success",
            description=f"Firehose {stream_name}: a delivery to S3 failed (DeliveryToS3.Success < 1). "
            f"See /aws/kinesisfirehose/{stream_name} and the bucket's errors/ prefix.",
            namespace="AWS/Firehose",
            metric="DeliveryToS3.Success",
            statistic="Minimum",
            comparison="LessThanThreshold",
            threshold=1,
            dimensions=dimensions,
        ),
        AlarmSpec(
            name=f"{stream_name}-data-freshness",
            description=f"Firehose {stream_name}: the oldest record is more than {freshness_threshold_seconds} s "
            "old (DeliveryToS3.DataFreshness): delivery to S3 is failing or falling behind.",
            namespace="AWS/Firehose",
            metric="DeliveryToS3.DataFreshness",
            statistic="Maximum",
            comparison="GreaterThanThreshold",
            threshold=freshness_threshold_seconds,
            dimensions=dimensions,
        ),
        AlarmSpec(
            name=f"{stream_name}-throttled-records",
            description=f"Firehose {stream_name} throttled records (ThrottledRecords > 0): the log router retries "
            "them, and loses them once Retry_Limit is used up. Ask for a higher stream quota.",
            namespace="AWS/Firehose",
            metric="ThrottledRecords",
            statistic="Sum",
            comparison="GreaterThanThreshold",
            threshold=0,
            dimensions=dimensions,
        ),
    ) + (conversion if converts else ())


def router_alarm_spec(service_name: str, log_group_name: str) -> AlarmSpec:
    """The log router's log-loss alarm (fed by the metric filters of :data:`ROUTER_LOG_LOSS_PATTERNS`)."""
    return AlarmSpec(
        name=f"{service_name}-router-log-loss",
        description=f"The log router of {service_name} dropped logs: a chunk ran out of retries or an input "
        f"paused on a full buffer. See {log_group_name}.",
        namespace=f"{ROUTER_METRIC_NAMESPACE}/{service_name}",
        metric=ROUTER_LOG_LOSS_METRIC,
        statistic="Sum",
        comparison="GreaterThanThreshold",
        threshold=0,
    )


def _alarm(scope: Construct, id_: str, spec: AlarmSpec, topic_arn: str | None) -> CloudwatchMetricAlarm:
    actions = [topic_arn] if topic_arn else None
    return CloudwatchMetricAlarm(
        scope,
        id_,
        alarm_name=spec.name,
        alarm_description=spec.description,
        namespace=spec.namespace,
        metric_name=spec.metric,
        statistic=spec.statistic,
        dimensions=dict(spec.dimensions) or None,
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        period=PERIOD_SECONDS,
        evaluation_periods=1,
        treat_missing_data="notBreaching",
        actions_enabled=True,
        alarm_actions=actions,
        ok_actions=actions,
    )


class FirehoseDeliveryAlarms(Construct):
    """Delivery-success, data-freshness and throttled-records alarms of one Firehose stream.

    Args:
        scope: Parent construct (a LogArchive creates one as ``alarms``).
        id_: Construct id.
        stream_name: The delivery stream watched.
        freshness_threshold_seconds: Alarm when the oldest undelivered record is older.
        topic_arn: SNS topic notified. Default: none.
        converts: The stream converts records to Parquet: alarm on failed conversions too. Default: ``False``.

    Attributes:
        alarms: The ``aws_cloudwatch_metric_alarm`` resources, by short name.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        stream_name: str,
        freshness_threshold_seconds: int,
        topic_arn: str | None = None,
        converts: bool = False,
    ) -> None:
        super().__init__(scope, id_)
        check_topic_arn(where_of(self), topic_arn)
        specs = firehose_alarm_specs(
            stream_name, freshness_threshold_seconds=freshness_threshold_seconds, converts=converts
        )
        shorts = ("delivery-success", "data-freshness", "throttled-records", "failed-conversion")
        self.alarms = {short: _alarm(self, short, spec, topic_arn) for short, spec in zip(shorts, specs, strict=False)}


class RouterLogLossAlarm(Construct):
    """Metric filters on the log router's log group and an alarm on the logs it lost.

    Args:
        scope: Parent construct (a FirelensService creates one as ``alarms``).
        id_: Construct id.
        service_name: Names the alarm and the metric namespace ``FireLens/<service>``.
        log_group_name: The router's own log group (awslogs).
        topic_arn: SNS topic notified. Default: none.

    Attributes:
        alarm: The ``aws_cloudwatch_metric_alarm``. ``metric_filters``: by pattern name.
    """

    def __init__(
        self, scope: Construct, id_: str, *, service_name: str, log_group_name: str, topic_arn: str | None = None
    ) -> None:
        super().__init__(scope, id_)
        check_topic_arn(where_of(self), topic_arn)
        spec = router_alarm_spec(service_name, log_group_name)
        self.metric_filters = {
            short: CloudwatchLogMetricFilter(
                self,
                short,
                name=f"{service_name}-{short}",
                log_group_name=log_group_name,
                pattern=pattern,
                metric_transformation=CloudwatchLogMetricFilterMetricTransformation(
                    name=spec.metric,
                    namespace=spec.namespace,
                    value="1",
                    # 0 for every other router line, so the metric exists (and is 0) while all is well.
                    default_value="0",
                ),
            )
            for short, pattern in ROUTER_LOG_LOSS_PATTERNS.items()
        }
        self.alarm = _alarm(self, "log-loss", spec, topic_arn)
