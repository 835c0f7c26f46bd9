"""A Celery beat scheduler that schedules only while it holds a lock in Redis, so starting two
beats (a second container, a restart overlapping the old one) never sends the periodic tasks twice.

The beat holding the lock renews it every third of CELERY_BEAT_LOCK_TTL seconds; the others check
at that pace whether it is free. A beat that stops cleanly releases the lock at once; one that is
killed, or cut off from Redis, loses it when it expires, and a waiting beat takes over. A beat
that finds its lock gone (expired while it stalled, or wiped by a Redis restart) stops scheduling
before sending anything and goes back to waiting.
"""

import logging
import time

import redis
from celery.beat import PersistentScheduler
from django.conf import settings
from redis.exceptions import LockError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOCK_KEY = "ta_portal:beat-lock"


class LockedScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_ttl = max(3, settings.CELERY_BEAT_LOCK_TTL)
        self.check_every = self.lock_ttl / 3
        # Tick at least this often, so the lock is renewed well before it can expire.
        self.max_interval = min(self.max_interval, self.check_every)
        client = redis.Redis.from_url(self.app.conf.broker_url, socket_timeout=5, socket_connect_timeout=5)
        self.lock = client.lock(LOCK_KEY, timeout=self.lock_ttl, blocking=False, thread_local=False)
        self.leader = False
        self.next_check = 0.0

    def tick(self, *args, **kwargs):
        if not self.holds_lock():
            return self.check_every
        return super().tick(*args, **kwargs)

    def holds_lock(self) -> bool:
        now = time.monotonic()
        if self.leader and now < self.next_check:
            return True
        was_leader = self.leader
        try:
            if self.leader:
                self.lock.reacquire()  # back to a full TTL; raises if the lock is no longer ours
            else:
                self.leader = self.lock.acquire(blocking=False)
        except (LockError, RedisError) as exc:
            self.leader = False
            logger.warning("Beat lock unavailable (%s): not scheduling.", exc)
        if self.leader:
            self.next_check = now + self.check_every
            if not was_leader:
                logger.info("Beat lock acquired: this beat schedules the periodic tasks.")
        elif was_leader:
            logger.warning("Beat lock lost: another beat schedules now; waiting.")
        elif self.next_check == 0.0:
            self.next_check = now
            logger.info("Another beat holds the lock; this one waits to take over.")
        return self.leader

    def close(self):
        super().close()
        if self.leader:
            try:
                self.lock.release()
            except (LockError, RedisError):
                logger.debug("Could not release the beat lock; it expires by itself.", exc_info=True)
            self.leader = False
