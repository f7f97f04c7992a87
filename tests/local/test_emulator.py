"""The emulator's lifecycle: one pid file per port, and a clear line when another program holds the port."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from firelens_cdktf.errors import EmulatorError
from firelens_local import emulator
from firelens_local.emulator import check_port_free_or_moto, free_port, listener, pidfile


def test_fails_when_another_program_holds_the_port_and_names_it() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with pytest.raises(
            EmulatorError,
            match=rf"^emulator: port {port} is taken by pid {os.getpid()} \(.*python.*\), "
            rf"not a moto server; .*EMULATOR_PORT={port + 1}",
        ):
            check_port_free_or_moto(port)


def test_a_free_port_has_no_listener() -> None:
    assert listener(free_port()) is None


def test_stop_stops_only_the_server_of_its_own_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    servers = {port: subprocess.Popen(["sleep", "60"]) for port in (4566, 4567)}
    for port, process in servers.items():
        pidfile(tmp_path, port).write_text(str(process.pid))
    try:
        assert emulator.main(["stop", "--port", "4567", "--state-dir", str(tmp_path)]) == 0
        servers[4567].wait(timeout=10)
        assert (servers[4566].poll(), pidfile(tmp_path, 4566).exists(), pidfile(tmp_path, 4567).exists()) == (
            None,
            True,
            False,
        )
        assert "port 4567" in capsys.readouterr().out
    finally:
        for process in servers.values():
            process.kill()
            process.wait()
