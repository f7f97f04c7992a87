"""``python -m firelens_cdktf``: the same commands as the ``firelens-cdktf`` console script."""

import sys

from firelens_cdktf.cli import main

sys.exit(main())
