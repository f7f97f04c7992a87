"""``python -m firelens_cdktf``: the same commands as the ``firelens-cdktf`` console script."""

import sys

from .cli import main

sys.exit(main())
