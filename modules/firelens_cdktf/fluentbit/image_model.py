"""What the pinned router image holds beyond Fluent Bit 4.2.2: AWS's Go output plugins and its stock files.

The image is aws-for-fluent-bit ``init-3.2.1`` (:mod:`firelens_cdktf.fluentbit.image`).
The linter and the preview model it, not Fluent Bit alone. Sources, each read at
the version the image ships:

- **The Go output plugins**, loaded by the image's entrypoint with ``-e``
  (``/fluent-bit/cloudwatch.so``, ``firehose.so``, ``kinesis.so``), registering
  the ``[OUTPUT]`` names ``cloudwatch``, ``firehose`` and ``kinesis``
  (aws/aws-for-fluent-bit ``scripts/dockerfiles/runtime/Dockerfile`` and its
  init process ``init/fluent_bit_init_process.go``; versions from PR #1069,
  the 3.2.1 release notes): aws/amazon-cloudwatch-logs-for-fluent-bit
  v1.9.4, aws/amazon-kinesis-firehose-for-fluent-bit v1.7.2,
  aws/amazon-kinesis-streams-for-fluent-bit v1.10.3. Options and what makes a
  plugin refuse to start: each repository's README "Plugin Options" and its
  ``FLBPluginInit`` / ``newOutputPlugin`` (``fluent-bit-cloudwatch.go``,
  ``fluent-bit-firehose.go``, ``fluent-bit-kinesis.go``).
- **Stock parsers**: the image copies Fluent Bit v4.2.2's ``conf/parsers*.conf``
  to ``/fluent-bit/parsers/`` (``scripts/dockerfiles/build/Dockerfile.parsers-al2023``;
  FireLens overwrites ``/fluent-bit/etc``). The parser names below are those
  files' ``[PARSER] Name`` values at fluent/fluent-bit v4.2.2.
- **Stock configs**: ``/fluent-bit/configs/`` (``Dockerfile.build-common``'s
  ``ADD`` list; contents in aws/aws-for-fluent-bit ``configs/``), and the Lua
  filter ``/fluent-bit/filters/replace_dots.lua`` (PR #1051, 3.2.0).

Moving the pin (docs/routing-and-preview.md, "The image the linter models")
means re-reading each of these and updating this module; the tests hold the
lists to fixtures of the image's layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from firelens_cdktf.fluentbit.image import AWS_FOR_FLUENT_BIT_VERSION, FLUENT_BIT_VERSION

__all__ = [
    "GO_OUTPUTS",
    "IMAGE_DESCRIPTION",
    "STOCK_CONFIGS",
    "STOCK_PARSER_FILES",
    "STOCK_ROOT_HINT",
    "GoOutput",
    "stock_file",
]


@dataclass(frozen=True)
class GoOutput:
    """One of AWS's Go output plugins in the image.

    Attributes:
        name: Its ``[OUTPUT] Name``.
        repository: Where it comes from.
        version: The tag the image builds.
        required: Options it refuses to start without.
        one_of: Groups of options of which exactly one must be set.
        options: Every option it reads (besides Fluent Bit's own: ``Match``, ``Alias``, ``Retry_Limit``...).
        c_plugin: The Fluent Bit plugin for the same service.
    """

    name: str
    repository: str
    version: str
    required: tuple[str, ...]
    one_of: tuple[tuple[str, ...], ...]
    options: frozenset[str]
    c_plugin: str

    @property
    def label(self) -> str:
        return f"{self.repository} {self.version}"


GO_OUTPUTS: dict[str, GoOutput] = {
    plugin.name: plugin
    for plugin in (
        GoOutput(
            "cloudwatch",
            "aws/amazon-cloudwatch-logs-for-fluent-bit",
            "v1.9.4",
            required=("region", "log_group_name"),
            one_of=(("log_stream_name", "log_stream_prefix"),),
            options=frozenset(
                """region log_group_name log_stream_name log_stream_prefix default_log_group_name
                default_log_stream_name log_key log_format role_arn auto_create_group auto_create_stream
                new_log_group_tags log_retention_days endpoint sts_endpoint credentials_endpoint external_id
                extra_user_agent""".split()
            ),
            c_plugin="cloudwatch_logs",
        ),
        GoOutput(
            "firehose",
            "aws/amazon-kinesis-firehose-for-fluent-bit",
            "v1.7.2",
            required=("region", "delivery_stream"),
            one_of=(),
            options=frozenset(
                """region delivery_stream data_keys log_key role_arn endpoint sts_endpoint time_key
                time_key_format replace_dots simple_aggregation""".split()
            ),
            c_plugin="kinesis_firehose",
        ),
        GoOutput(
            "kinesis",
            "aws/amazon-kinesis-streams-for-fluent-bit",
            "v1.10.3",
            required=("region", "stream"),
            one_of=(),
            options=frozenset(
                """region stream partition_key data_keys log_key role_arn endpoint sts_endpoint append_newline
                time_key time_key_format experimental_concurrency experimental_concurrency_retries aggregation
                compression replace_dots http_request_timeout""".split()
            ),
            c_plugin="kinesis_streams",
        ),
    )
}

_VERSION = ".".join(map(str, FLUENT_BIT_VERSION))
#: What the linter and the preview model, in words.
IMAGE_DESCRIPTION = (
    f"aws-for-fluent-bit {AWS_FOR_FLUENT_BIT_VERSION} (Fluent Bit {_VERSION} with AWS's Go outputs "
    + ", ".join(f"{p.name} {p.version.lstrip('v')}" for p in GO_OUTPUTS.values())
    + ")"
)

#: The image's stock parsers files (``/fluent-bit/parsers/``) and the parser names each defines.
STOCK_PARSER_FILES: dict[str, frozenset[str]] = {
    "/fluent-bit/parsers/parsers.conf": frozenset(
        """apache apache2 apache_error nginx k8s-nginx-ingress json logfmt docker docker-daemon syslog-rfc5424
        syslog-rfc3164-local syslog-rfc3164 mongodb envoy istio-envoy-proxy cri kube-custom
        kmsg-netfilter-log""".split()
    ),
    "/fluent-bit/parsers/parsers_ambassador.conf": frozenset({"ambassador"}),
    "/fluent-bit/parsers/parsers_cinder.conf": frozenset({"ceph"}),
    "/fluent-bit/parsers/parsers_extra.conf": frozenset(
        """crowbar chefclient mysql_error mysql_slow pacemaker rabbitmq http_statement universal uuid iptables
        couchbase_json_log_nanoseconds couchbase_rebalance_report couchbase_simple_log
        couchbase_simple_log_space_separated couchbase_simple_log_utc couchbase_simple_log_mixed
        couchbase_erlang_multiline couchbase_java_multiline couchbase_http""".split()
    ),
    "/fluent-bit/parsers/parsers_java.conf": frozenset({"java_multiline"}),
    "/fluent-bit/parsers/parsers_kafka.conf": frozenset(
        {"confluent-schema-registry", "confluent-schema-registry-prefixed"}
    ),
    "/fluent-bit/parsers/parsers_mult.conf": frozenset({"mult_first", "mult_1", "mult_2", "mult_3", "mult_4"}),
    "/fluent-bit/parsers/parsers_multiline.conf": frozenset({"exception_test"}),  # a [MULTILINE_PARSER]
    "/fluent-bit/parsers/parsers_openstack.conf": frozenset(
        {"cinder", "glance", "heat", "keystone", "neutron", "nova"}
    ),
}

#: The image's stock configs (``/fluent-bit/configs/``) and what each is, for the note a config naming one gets.
STOCK_CONFIGS: dict[str, str] = {
    "/fluent-bit/configs/parse-json.conf": "parses the 'log' key as JSON (parser json, Reserve_Data On)",
    "/fluent-bit/configs/minimize-log-loss.conf": "[SERVICE] Flush 1 and Grace 30 only",
    "/fluent-bit/configs/output-metrics-healthcheck.conf": "the HTTP server on 2020 with Health_Check",
    "/fluent-bit/configs/plugin-metrics-parser.conf": "parsers for Fluent Bit's own Prometheus metrics",
    "/fluent-bit/configs/plugin-metrics-to-cloudwatch.conf": "Fluent Bit's own metrics to CloudWatch Logs",
    "/fluent-bit/configs/plugin-and-storage-metrics-to-cloudwatch.conf": "its metrics and storage metrics to "
    "CloudWatch Logs",
    "/fluent-bit/filters/replace_dots.lua": "a Lua filter replacing '.' in key names",
}

#: How to get the image's files, for the notes that need them.
STOCK_ROOT_HINT = (
    "extract the pinned image's files once: docker create --name fb "
    f"public.ecr.aws/aws-observability/aws-for-fluent-bit:init-{AWS_FOR_FLUENT_BIT_VERSION} && "
    "docker cp fb:/fluent-bit ./image-root/fluent-bit && docker rm fb; then pass --image-root ./image-root "
    "(or set FIRELENS_IMAGE_ROOT)"
)


def stock_file(path: str) -> bool:
    """Whether ``path`` (as a config names it) is one of the image's stock files."""
    normalized = "/" + path.strip().lstrip("/")
    return normalized in STOCK_PARSER_FILES or normalized in STOCK_CONFIGS
