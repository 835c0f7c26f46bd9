import uuid

import pytest


@pytest.fixture(autouse=True)
def fresh_cache_namespace(settings):
    """Lockout counters live in the shared cache (Redis when it runs): a key prefix of its own per
    test keeps one test's failures from locking another's users, without flushing anything."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for alias, config in settings.CACHES.items()
    }
