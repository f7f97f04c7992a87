"""The routing domain: routes declared in Python, the Fluent Bit config they compile to,
and the linter and preview that read any such config as Fluent Bit 4.2.2 does.

The preview's parts: :mod:`.preview` (the simulator), :mod:`.filters` (one
module per filter plugin), :mod:`.parsers` (parser formats), :mod:`.multiline`
(the multiline engine), :mod:`.outcome` and :mod:`.records` (its values),
:mod:`.preview_io` and :mod:`.preview_summary` (reading and printing),
:mod:`.output_limits` (Docker's 16 KiB split and the AWS outputs' size limits).

Pure Python: nothing here imports CDKTF.

Example::

    from firelens_cdktf.routing import AppLogRouting, CloudWatchLogs, LogRouting, compile_routing

    compiled = compile_routing(LogRouting(region="ap-northeast-1", apps=(
        AppLogRouting(container="web", default=CloudWatchLogs("/web")),)))
    print(compiled.extra_conf)
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "LogRouting": ".routes", "AppLogRouting": ".routes", "Route": ".routes", "Destination": ".routes",
    "CloudWatchLogs": ".routes", "FirehoseStream": ".routes", "DEFAULT_ROUTING": ".routes",
    "ROUTED_TAG_PREFIX": ".routes", "article_routing": ".routes",
    "compile_routing": ".compiler", "CompiledRouting": ".compiler",
    "FluentBitConfig": ".config", "Section": ".config", "ParserDefinition": ".config", "ParserSet": ".config",
    "parse_config": ".config", "load_config": ".config", "parse_parsers": ".config",
    "lint_config": ".lint", "check_config": ".lint", "Finding": ".lint", "Severity": ".lint",
    "Simulator": ".preview", "FirelensContext": ".preview",
    "Outcome": ".outcome", "Delivery": ".outcome", "Dropped": ".outcome",
    "Pairs": ".records", "decode_json": ".records", "encode_json": ".records",
    "compile_parser": ".parsers", "Parser": ".parsers",
    "load_for_preview": ".preview_io", "read_input_line": ".preview_io", "read_input_records": ".preview_io",
    "line_reader": ".preview_io", "Fate": ".output_limits", "fluent_bit_json": ".output_limits",
    "render_table": ".preview_io", "TableWriter": ".preview_io", "PreviewSummary": ".preview_summary",
    "render_mermaid": ".diagram",
    "FLUENT_BIT_INIT_IMAGE": ".image", "FLUENT_BIT_VERSION": ".image",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
