"""Build contexts: content-hash tags and the generated log router context."""

from __future__ import annotations

import re
from pathlib import Path

from firelens_app.config import PipelineConfig, pipeline_routing
from firelens_app.paths import DOCKER_DIR
from firelens_cdktf.constructs.build_context import content_tag, log_router_context, read_context, write_context
from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE
from firelens_cdktf.routing.compiler import compile_routing
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, LogRouting


def test_tag_is_stable_for_the_same_files() -> None:
    assert content_tag({"a": b"1", "b": b"2"}) == content_tag({"b": b"2", "a": b"1"})


def test_tag_changes_when_a_file_changes() -> None:
    assert content_tag({"a": b"1"}) != content_tag({"a": b"2"})


def test_tag_changes_when_a_file_is_renamed() -> None:
    assert content_tag({"a": b"1"}) != content_tag({"b": b"1"})


def test_a_changed_route_changes_the_log_router_tag() -> None:
    other = compile_routing(
        LogRouting(
            region="ap-northeast-1", apps=(AppLogRouting(container="rails-app", default=CloudWatchLogs("/elsewhere")),)
        )
    )
    default = pipeline_routing(PipelineConfig())
    assert content_tag(log_router_context(default)) != content_tag(log_router_context(other))


def test_log_router_image_starts_from_the_pinned_init_image() -> None:
    dockerfile = log_router_context(pipeline_routing(PipelineConfig()))["Dockerfile"].decode()
    assert f"FROM {FLUENT_BIT_INIT_IMAGE}\n" in dockerfile


def test_committed_log_router_context_is_what_the_routes_generate() -> None:
    # docker/firelens is generated at synth; an edit by hand (or a stale copy) fails here.
    expected = log_router_context(pipeline_routing(PipelineConfig()))
    assert read_context(DOCKER_DIR / "firelens") == expected


def test_read_context_skips_python_caches(tmp_path: Path) -> None:
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"cache")
    (tmp_path / "Dockerfile").write_bytes(b"FROM scratch\n")
    assert read_context(tmp_path) == {"Dockerfile": b"FROM scratch\n"}


def test_write_context_removes_stale_files_and_reports_changes(tmp_path: Path) -> None:
    (tmp_path / "old.conf").write_text("stale")
    assert write_context(tmp_path, {"Dockerfile": b"FROM x\n"}) is True
    assert read_context(tmp_path) == {"Dockerfile": b"FROM x\n"}
    assert write_context(tmp_path, {"Dockerfile": b"FROM x\n"}) is False


def test_the_readme_names_the_log_router_tag_the_default_app_deploys() -> None:
    # The README's "What changed in the deployed app" names the one value of the default app's JSON that
    # changed; a change to the router's files changes that tag, and the README must say so.
    readme = (DOCKER_DIR.parent / "README.md").read_text()
    named = re.search(r"`386849b36d15deda` -> `([0-9a-f]{16})`", readme)
    assert named is not None
    assert named[1] == content_tag(log_router_context(pipeline_routing(PipelineConfig())))
