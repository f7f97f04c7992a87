"""The Fluent Bit model and simulator: Fluent Bit 4.2.2 as this project reads and runs a config.

One module per part of Fluent Bit, each citing the C file it follows:
:mod:`.config` (the classic format and its sections), :mod:`.simulator` (the
engine's path for one record), :mod:`.filters` (one module per filter
plugin), :mod:`.parsers` (parser formats), :mod:`.multiline`,
:mod:`.record_accessor`, :mod:`.tag_match` (``Match``), :mod:`.output_limits`
(Docker's 16 KiB split and the AWS outputs' size limits), and the preview's
reading and printing (:mod:`.preview_io`, :mod:`.preview_summary`).

Pure Python, the bottom layer of the library: it imports nothing of the
other layers and nothing of CDKTF.

Example::

    from firelens_cdktf.fluentbit import FirelensContext, Simulator, load_for_preview

    config, parsers = load_for_preview("extra.conf", [])
    outcome = Simulator(config, parsers, firelens=FirelensContext()).run(tag, record)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.fluentbit.config import FluentBitConfig as FluentBitConfig
    from firelens_cdktf.fluentbit.config import ParserDefinition as ParserDefinition
    from firelens_cdktf.fluentbit.config import ParserSet as ParserSet
    from firelens_cdktf.fluentbit.config import Section as Section
    from firelens_cdktf.fluentbit.config import load_config as load_config
    from firelens_cdktf.fluentbit.config import parse_config as parse_config
    from firelens_cdktf.fluentbit.config import parse_parsers as parse_parsers
    from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE as FLUENT_BIT_INIT_IMAGE
    from firelens_cdktf.fluentbit.image import FLUENT_BIT_VERSION as FLUENT_BIT_VERSION
    from firelens_cdktf.fluentbit.outcome import Delivery as Delivery
    from firelens_cdktf.fluentbit.outcome import Dropped as Dropped
    from firelens_cdktf.fluentbit.outcome import Outcome as Outcome
    from firelens_cdktf.fluentbit.output_limits import Fate as Fate
    from firelens_cdktf.fluentbit.output_limits import fluent_bit_json as fluent_bit_json
    from firelens_cdktf.fluentbit.parsers import Parser as Parser
    from firelens_cdktf.fluentbit.parsers import compile_parser as compile_parser
    from firelens_cdktf.fluentbit.preview_io import TableWriter as TableWriter
    from firelens_cdktf.fluentbit.preview_io import line_reader as line_reader
    from firelens_cdktf.fluentbit.preview_io import load_for_preview as load_for_preview
    from firelens_cdktf.fluentbit.preview_io import read_input_line as read_input_line
    from firelens_cdktf.fluentbit.preview_io import read_input_records as read_input_records
    from firelens_cdktf.fluentbit.preview_io import render_table as render_table
    from firelens_cdktf.fluentbit.preview_summary import PreviewSummary as PreviewSummary
    from firelens_cdktf.fluentbit.records import Pairs as Pairs
    from firelens_cdktf.fluentbit.records import decode_json as decode_json
    from firelens_cdktf.fluentbit.records import encode_json as encode_json
    from firelens_cdktf.fluentbit.simulator import FirelensContext as FirelensContext
    from firelens_cdktf.fluentbit.simulator import Simulator as Simulator

_EXPORTS = {
    "FluentBitConfig": "firelens_cdktf.fluentbit.config",
    "Section": "firelens_cdktf.fluentbit.config",
    "ParserDefinition": "firelens_cdktf.fluentbit.config",
    "ParserSet": "firelens_cdktf.fluentbit.config",
    "parse_config": "firelens_cdktf.fluentbit.config",
    "load_config": "firelens_cdktf.fluentbit.config",
    "parse_parsers": "firelens_cdktf.fluentbit.config",
    "Simulator": "firelens_cdktf.fluentbit.simulator",
    "FirelensContext": "firelens_cdktf.fluentbit.simulator",
    "Outcome": "firelens_cdktf.fluentbit.outcome",
    "Delivery": "firelens_cdktf.fluentbit.outcome",
    "Dropped": "firelens_cdktf.fluentbit.outcome",
    "Pairs": "firelens_cdktf.fluentbit.records",
    "decode_json": "firelens_cdktf.fluentbit.records",
    "encode_json": "firelens_cdktf.fluentbit.records",
    "compile_parser": "firelens_cdktf.fluentbit.parsers",
    "Parser": "firelens_cdktf.fluentbit.parsers",
    "load_for_preview": "firelens_cdktf.fluentbit.preview_io",
    "read_input_line": "firelens_cdktf.fluentbit.preview_io",
    "read_input_records": "firelens_cdktf.fluentbit.preview_io",
    "line_reader": "firelens_cdktf.fluentbit.preview_io",
    "render_table": "firelens_cdktf.fluentbit.preview_io",
    "TableWriter": "firelens_cdktf.fluentbit.preview_io",
    "Fate": "firelens_cdktf.fluentbit.output_limits",
    "fluent_bit_json": "firelens_cdktf.fluentbit.output_limits",
    "PreviewSummary": "firelens_cdktf.fluentbit.preview_summary",
    "FLUENT_BIT_INIT_IMAGE": "firelens_cdktf.fluentbit.image",
    "FLUENT_BIT_VERSION": "firelens_cdktf.fluentbit.image",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
