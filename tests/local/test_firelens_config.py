"""The config FireLens generates: its inputs, its metadata filter (the preview's own), the include, the outputs."""

from __future__ import annotations

from pathlib import Path

from firelens_cdktf.fluentbit.config import FluentBitConfig, parse_config
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.firelens_config import HEALTHCHECK_TAG, firelens_config, mem_buf_limit

FIRELENS = FirelensContext(cluster="c1", task_id="f" * 32, task_definition="app:7")


def _parse(text: str, tmp_path: Path) -> FluentBitConfig:
    (tmp_path / "extra.conf").write_text("[OUTPUT]\n    Name  stdout\n    Match app-*\n")
    return parse_config(text, resolve=lambda name, _base: str(tmp_path / Path(name).name))


def test_inputs_are_the_socket_the_tcp_port_and_the_health_check(tmp_path: Path) -> None:
    config = _parse(firelens_config(FIRELENS, "/fluent-bit/etc/extra.conf"), tmp_path)
    socket, tcp, health = config.inputs
    assert (socket.plugin, socket.get("unix_path"), socket.get("Mem_Buf_Limit")) == (
        "forward",
        "/var/run/fluent.sock",
        "25MB",
    )
    assert (tcp.plugin, tcp.get("Listen"), tcp.get("Port")) == ("forward", "127.0.0.1", "24224")
    assert (health.plugin, health.get("Tag"), health.get("Port")) == ("tcp", HEALTHCHECK_TAG, "8877")


def test_the_metadata_filter_adds_the_previews_values_to_every_record(tmp_path: Path) -> None:
    config = _parse(firelens_config(FIRELENS, "/fluent-bit/etc/extra.conf"), tmp_path)
    [metadata] = config.filters
    assert (metadata.plugin, metadata.get("Match")) == ("record_modifier", "*")
    assert sorted(metadata.get_all("Record")) == sorted(FIRELENS.metadata_filter().get_all("Record"))
    assert f"ecs_task_arn {FIRELENS.task_arn}" in metadata.get_all("Record")


def test_the_router_config_comes_after_the_filter_and_before_the_health_check_output(tmp_path: Path) -> None:
    text = firelens_config(FIRELENS, "/fluent-bit/etc/extra.conf")
    assert text.index("record_modifier") < text.index("@INCLUDE /fluent-bit/etc/extra.conf") < text.index("Name null")
    outputs = _parse(text, tmp_path).outputs
    assert [(o.plugin, o.get("Match")) for o in outputs] == [("stdout", "app-*"), ("null", HEALTHCHECK_TAG)]


def test_without_ecs_log_metadata_there_is_no_filter(tmp_path: Path) -> None:
    config = _parse(firelens_config(FIRELENS, "/fluent-bit/etc/extra.conf", ecs_log_metadata=False), tmp_path)
    assert config.filters == ()


def test_the_socket_input_may_buffer_half_the_routers_memory_reservation() -> None:
    assert mem_buf_limit(100) == "50MB"
    assert mem_buf_limit(None) == "25MB"
    assert mem_buf_limit(1) == "25MB"  # half of 1 MiB rounds to 0, which FireLens replaces with its default
    assert "Mem_Buf_Limit 256MB" in firelens_config(FIRELENS, "x.conf", memory_reservation_mib=512)
