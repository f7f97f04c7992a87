"""The aws-for-fluent-bit image the log router is built ``FROM``.

The custom log router image only adds ``extra.conf`` and the parsers file to
an AWS *init* image (the article's setup, README "Log routing as code"). The compiled config uses options that need a
recent Fluent Bit (``simple_aggregation`` on ``kinesis_firehose`` arrived in
Fluent Bit 4.2.2), so the image is pinned to a release that carries it.

Sources, checked together:

- aws/aws-for-fluent-bit PR #1069 "Release 20260127" (release notes of
  3.2.1): "This release includes: Fluent Bit v4.2.2 ...".
- aws/aws-for-fluent-bit ``scripts/publish.sh``: every release is pushed to
  ``public.ecr.aws/aws-observability/aws-for-fluent-bit`` as
  ``<version>`` and, with the init process, as ``init-<version>``.
- fluent/fluent-bit PR #11284 "aws: Implement simple_aggregation operation"
  and fluent/fluent-bit-docs issue #2316 (labelled 4.2.2): the option ships
  in Fluent Bit 4.2.2; aws/aws-for-fluent-bit PR #1055 bumps the 3.x line to
  4.2.2 for it.
"""

from __future__ import annotations

#: The aws-for-fluent-bit release pinned.
AWS_FOR_FLUENT_BIT_VERSION = "3.2.1"
#: The Fluent Bit release inside it.
FLUENT_BIT_VERSION: tuple[int, int, int] = (4, 2, 2)
#: Public ECR repository AWS publishes the images to.
AWS_FOR_FLUENT_BIT_REPOSITORY = "public.ecr.aws/aws-observability/aws-for-fluent-bit"
#: The pinned *init* image (multi-config support, as the article uses).
FLUENT_BIT_INIT_IMAGE = f"{AWS_FOR_FLUENT_BIT_REPOSITORY}:init-{AWS_FOR_FLUENT_BIT_VERSION}"
