"""The plugin names Fluent Bit 4.2.2 registers: a section whose ``Name`` is none of these stops it at start-up.

Read from the source at tag v4.2.2 of fluent/fluent-bit: the ``.name`` of
each ``struct flb_filter_plugin`` / ``flb_output_plugin`` in
``plugins/filter_*/*.c`` and ``plugins/out_*/*.c``, and the ``plugins/in_*``
folders for inputs (``flb_input_new`` fails with "unknown input plugin" and
``flb_filter_new``/``flb_output_new`` likewise, src/flb_input.c,
src/flb_filter.c, src/flb_output.c).
"""

from __future__ import annotations

import difflib

INPUTS: frozenset[str] = frozenset(
    """
blob calyptia_fleet collectd cpu disk docker docker_events dummy ebpf elasticsearch emitter event_test event_type
exec exec_wasi fluentbit_metrics forward gpu_metrics head health http kafka kmsg kubernetes_events lib mem mqtt
netif nginx_exporter_metrics node_exporter_metrics opentelemetry podman_metrics proc process_exporter_metrics
prometheus_remote_write prometheus_scrape prometheus_textfile random serial splunk statsd stdin storage_backlog
stream_processor syslog systemd tail tcp thermal udp unix_socket windows_exporter_metrics winevtlog winlog winstat
""".split()
)

FILTERS: frozenset[str] = frozenset(
    """
alter_size aws checklist ecs expect geoip2 grep kubernetes log_to_metrics lua modify multiline nest nightfall parser
record_modifier rewrite_tag stdout sysinfo tensorflow throttle throttle_size type_converter wasm
""".split()
)

OUTPUTS: frozenset[str] = frozenset(
    """
azure azure_blob azure_kusto azure_logs_ingestion bigquery calyptia chronicle cloudwatch_logs counter datadog es exit
file flowcounter forward gelf http influxdb kafka kinesis_firehose kinesis_streams lib logdna loki nats nrlogs null
opensearch opentelemetry oracle_log_analytics pgsql plot prometheus_exporter prometheus_remote_write retry s3
skywalking slack splunk stackdriver stdout syslog tcp td udp vivo_exporter websocket
""".split()
)

#: Section kind -> the names Fluent Bit knows for it.
KNOWN: dict[str, frozenset[str]] = {"INPUT": INPUTS, "FILTER": FILTERS, "OUTPUT": OUTPUTS}


def closest(kind: str, name: str) -> str | None:
    """The known plugin of ``kind`` nearest to ``name`` (``cloudwatchlogs`` -> ``cloudwatch_logs``), if any is close."""
    known = KNOWN[kind]
    lowered = name.lower().replace("-", "_")
    squeezed = {k.replace("_", ""): k for k in known}
    if lowered.replace("_", "") in squeezed:
        return squeezed[lowered.replace("_", "")]
    prefixes = sorted((k for k in known if lowered.startswith(k + "_") or lowered.startswith(k)), key=len)
    if prefixes:
        return prefixes[-1]  # s3_bucket -> s3
    matches = difflib.get_close_matches(lowered, sorted(known), n=1, cutoff=0.6)
    return matches[0] if matches else None
