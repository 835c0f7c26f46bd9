"""The portal's settings for the servers the token-cache tests start: the cache namespace is the
test process's own, so that what one process writes there the others read."""

import os

from ta_portal.settings import *  # noqa: F403

CACHES["default"]["KEY_PREFIX"] = os.environ["TEST_CACHE_KEY_PREFIX"]  # noqa: F405
