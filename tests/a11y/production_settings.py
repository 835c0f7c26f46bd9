"""The production settings (DEBUG off, hashed and compressed static files served by WhiteNoise),
with the collected static files and uploads in directories the accessibility tests choose, and
cache keys of the server's own."""

import os
from pathlib import Path

from ta_portal.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["PORTAL_STATIC_ROOT"])
CACHES = {alias: {**config, "KEY_PREFIX": os.environ["PORTAL_CACHE_PREFIX"]} for alias, config in CACHES.items()}  # noqa: F405
