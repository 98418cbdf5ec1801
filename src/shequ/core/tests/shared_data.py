"""Where the real public data for tests lives: `../shared/data` beside the checkout, or $SHEQU_SHARED_DATA.

Tests that need it fail (never skip) when it is missing: CI guarantees it.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
SHARED_DATA = Path(os.environ.get("SHEQU_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
