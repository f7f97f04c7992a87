"""AWS limits and provider settings the constructs validate against, in one place.

Each value cites the page it comes from.
"""

from __future__ import annotations

import re

#: Provider constraint written into ``required_providers`` instead of the
#: bindings' exact ``5.99.1`` pin: the bindings target the 5.99 schema, and any
#: later 5.x (e.g. the 5.100.0 in a local mirror) is schema-compatible.
#: https://developer.hashicorp.com/terraform/language/expressions/version-constraints
AWS_PROVIDER_CONSTRAINT = "~> 5.99"

#: S3 bucket names: 3-63 chars, lowercase letters, digits, dots, hyphens; start
#: and end with a letter or digit.
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

#: AWS region names such as ``ap-northeast-1`` or ``us-gov-west-1``.
#: https://docs.aws.amazon.com/general/latest/gr/rande.html
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
