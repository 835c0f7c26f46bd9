"""The production settings (DEBUG off, hashed and compressed static files served by WhiteNoise),
with the collected static files and uploads in directories the page-weight test chooses."""

import os
from pathlib import Path

from ta_portal.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["PORTAL_STATIC_ROOT"])
