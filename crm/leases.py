"""Named leases held in a store every machine shares: one holder at a time, kept by renewing
before it lapses, taken over by another once its holder stops renewing (it died, or lost the
database). The database (a `crm.Lease` row) by default, so the embedded default is correct;
Redis when CACHE_URL points at it. `manage.py scheduler` holds one so exactly one runs."""

import contextlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Now

from crm.models import Lease


class DatabaseLease:
    """A `crm.Lease` row. Every change is one conditional statement, so of two processes at
    once exactly one wins; expiry is compared with the database's clock, not the machine's."""

    def __init__(self, name: str, holder: str, seconds: int):
        self.name, self.holder, self.seconds = name, holder, seconds

    def acquire(self) -> bool:
        expires = Now() + timedelta(seconds=self.seconds)
        # Take it over when it has lapsed (or is already ours, e.g. after a restart).
        taken = Lease.objects.filter(name=self.name, expires_at__lt=Now()).update(
            holder=self.holder, expires_at=expires
        )
        if taken or self.renew():
            return True
        try:
            with transaction.atomic():
                Lease.objects.create(name=self.name, holder=self.holder, expires_at=expires)
        except IntegrityError:
            return False  # someone holds it (or created it a moment before us)
        return True

    def renew(self) -> bool:
        """Extend the lease if this holder still has it; False when it was lost."""
        return bool(
            Lease.objects.filter(name=self.name, holder=self.holder).update(
                expires_at=Now() + timedelta(seconds=self.seconds)
            )
        )

    def release(self) -> None:
        Lease.objects.filter(name=self.name, holder=self.holder).delete()


class RedisLease:
    """A Redis key with a time to live (redis-py's Lock: SET NX PX, renewed and released by a
    script that checks the holder's token)."""

    def __init__(self, name: str, holder: str, seconds: int, url: str):
        import redis

        self._lock = redis.Redis.from_url(url).lock(
            f"crm:lease:{name}", timeout=seconds, thread_local=False
        )
        self._errors = redis.exceptions.LockError
        self.holder, self.seconds = holder, seconds

    def acquire(self) -> bool:
        if self._lock.owned():
            return self.renew()
        return self._lock.acquire(blocking=False, token=self.holder)

    def renew(self) -> bool:
        try:
            return self._lock.extend(self.seconds, replace_ttl=True)
        except self._errors:
            return False

    def release(self) -> None:
        with contextlib.suppress(self._errors):  # it had lapsed already
            self._lock.release()


def lease(name: str, *, holder: str, seconds: int) -> DatabaseLease | RedisLease:
    """The lease `name` for `holder`, in Redis when CACHE_URL is Redis, else the database."""
    url = settings.CACHES["default"].get("LOCATION", "")
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache") and url:
        return RedisLease(name, holder, seconds, url)
    return DatabaseLease(name, holder, seconds)
