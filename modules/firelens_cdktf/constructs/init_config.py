"""The log router's files as AWS's init image fetches them from S3, as plain values (no CDKTF).

The alternative to baking the compiled files into an image
(:mod:`.build_context`): the stock aws-for-fluent-bit *init* image downloads
every S3 object an ``aws_fluent_bit_init_s3_<n>`` environment variable names
to ``/init/fluent-bit-init-s3-files/<basename of its key>``; a file whose text
holds ``[PARSER]`` or ``[MULTILINE_PARSER]`` is handed to Fluent Bit with
``-R`` (a parsers file), any other one is ``@INCLUDE``d after FireLens's
generated config. Source: aws/aws-for-fluent-bit ``init/fluent_bit_init_process.go``
and ``use_cases/init-process-for-fluent-bit/README.md``.

So the compiled ``extra.conf`` is delivered without its ``Parsers_File``
line (``/fluent-bit/etc/parsers_json.conf`` is not in the stock image: Fluent
Bit would refuse to start), and the parsers file arrives with ``-R``. Keys are
content-addressed, ``<prefix>/<sha256 of the bytes, 16 hex>/<file name>``: a
changed config gets new keys, hence a new task definition revision; an
unchanged one keeps them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from firelens_cdktf.constructs.build_context import TAG_LENGTH, content_tag
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.fluentbit.config import parse_config, parse_parsers
from firelens_cdktf.lint.checks import check_config
from firelens_cdktf.routing.compiler import CompiledRouting

__all__ = [
    "INIT_S3_ENV_PREFIX",
    "INIT_S3_FILES_DIR",
    "content_key",
    "init_image_files",
    "init_files_tag",
    "init_s3_environment",
]

#: The variables the init process reads S3 objects from: lowercase, case-sensitive (its regex is
#: ``aws_fluent_bit_init_[sS]3``); the README numbers them ``_1``, ``_2``, ...
INIT_S3_ENV_PREFIX = "aws_fluent_bit_init_s3_"
#: Where the init process puts what it downloads (only the key's basename is kept).
INIT_S3_FILES_DIR = "/init/fluent-bit-init-s3-files"
#: A ``Parsers_File`` line of ``[SERVICE]``, as the compiler writes it.
_PARSERS_FILE_LINE = re.compile(r"^\s+Parsers_File\s+(?P<path>\S+)\s*$", re.IGNORECASE)
#: Said at the top of the delivered extra.conf, in place of the line it no longer has.
_NOTE = (
    "# Delivered through S3 to the init image: the parsers file comes with -R (init process), "
    "so [SERVICE] names no Parsers_File."
)


def init_image_files(compiled: CompiledRouting) -> dict[str, str]:
    """The routing's files as the init image takes them from S3: file name -> text.

    The parsers file is the compiler's own; ``extra.conf`` is the compiler's
    without the ``Parsers_File`` line that names it. The result is linted
    as the init image combines it (``extra.conf`` included, the parsers file
    given with ``-R``), so it serves the same routes.

    Raises:
        ConfigError: the two files share a file name (the init process keeps
            only the basename, so one would overwrite the other).
        LintError: the config without the line no longer lints clean (a bug here).
    """
    config_name = PurePosixPath(compiled.config_path).name
    parsers_name = PurePosixPath(compiled.parsers_path).name
    if config_name == parsers_name:
        raise ConfigError(
            "RouterConfigInS3",
            "routing",
            (compiled.config_path, compiled.parsers_path),
            "a config and a parsers file with different file names (the init image keeps only the basename)",
            "compile with the default file names, or another parsers_file=",
        )
    kept: list[str] = []
    for line in compiled.extra_conf.splitlines(keepends=True):
        match = _PARSERS_FILE_LINE.match(line)
        if match is None or match["path"] != compiled.parsers_path:
            kept.append(line)
    header_end = next((i for i, line in enumerate(kept) if not line.startswith("#")), len(kept))
    extra_conf = "".join([*kept[:header_end], _NOTE + "\n", *kept[header_end:]])
    config = parse_config(extra_conf, source=config_name)
    if config.parsers_files:  # the compiler wrote the line in another form: fail here, not in the task
        raise RuntimeError(f"{config_name} still names Parsers_File {', '.join(config.parsers_files)}")
    parsers = parse_parsers(compiled.parsers_conf, source=parsers_name)
    check_config(config, containers=list(compiled.containers), parsers=parsers)
    return {config_name: extra_conf, parsers_name: compiled.parsers_conf}


def content_key(prefix: str, name: str, data: bytes) -> str:
    """``<prefix>/<sha256 of data, 16 hex>/<name>``: the key changes exactly when the bytes change."""
    return f"{prefix}/{hashlib.sha256(data).hexdigest()[:TAG_LENGTH]}/{name}"


def init_s3_environment(object_arns: Sequence[str]) -> dict[str, str]:
    """The log router's environment naming each object: ``aws_fluent_bit_init_s3_1`` -> its ARN, in order."""
    return {f"{INIT_S3_ENV_PREFIX}{n}": arn for n, arn in enumerate(object_arns, start=1)}


def init_files_tag(compiled: CompiledRouting) -> str:
    """The content tag of :func:`init_image_files`: equal for two routings exactly when the files are."""
    return content_tag({name: text.encode() for name, text in init_image_files(compiled).items()})
