"""The versions that key cached pages and fragments, moved on (``bump_version``) and read once
per request (``request_version``, ``request_value``). The cache itself is django-redis
(``CACHES`` in settings), which keeps one Redis client per server over its connection pool:
Django's own Redis backend built a new client, and its table of response callbacks, for every
operation."""

import hashlib

from django.core.cache import cache
from django.db import transaction

#: The version keys a page may be keyed by (registered by the modules that own them).
_VERSION_KEYS: list[str] = []
#: Functions ``user_id -> key`` of per-user values a page reads (home community, basket badge).
_USER_KEYS: list = []
_MEMO = "_linli_cache_reads"


def register_version_key(key: str) -> str:
    """Make ``key`` one of the versions read together once per request; returns it."""
    if key not in _VERSION_KEYS:
        _VERSION_KEYS.append(key)
    return key


def is_registered(key: str) -> bool:
    """Whether ``key`` is one of the versions read once per request (``request_version``)."""
    return key in _VERSION_KEYS


def register_user_key(key_for) -> None:
    """Make ``key_for(user_id)`` one of the per-user values read with the versions."""
    if key_for not in _USER_KEYS:
        _USER_KEYS.append(key_for)


def _reads(request) -> dict:
    """Every registered version, and the signed-in user's registered values, in one
    ``get_many`` on the request's first ask; kept on the request for the rest of it.

    A request that changes data and renders afterwards may key what it caches by a version
    read before its change: that key is already out of date, so nothing stale is served."""
    found = getattr(request, _MEMO, None)
    if found is None:
        keys = list(_VERSION_KEYS)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            keys += [key_for(user.pk) for key_for in _USER_KEYS]
        found = cache.get_many(keys)
        setattr(request, _MEMO, found)
    return found


def read_with_versions(request, keys: list[str]) -> dict:
    """``cache.get_many(keys)`` in the same round trip as the request's first read of the
    versions (an anonymous request's: no per-user values), which it remembers on the request.
    Returns the values found under ``keys`` only. Used by ``marketplace.page_cache`` before
    authentication runs, so it never reads per-user values."""
    found = cache.get_many([*_VERSION_KEYS, *keys])
    if getattr(request, _MEMO, None) is None:
        setattr(request, _MEMO, {k: v for k, v in found.items() if k in _VERSION_KEYS})
    return {k: found[k] for k in keys if k in found}


def request_version(request, key: str) -> int:
    """The version under ``key`` (0 before its first move), read once per request
    (``request`` None: read now)."""
    if request is None or key not in _VERSION_KEYS:
        return cache.get(key, 0)
    return _reads(request).get(key, 0)


def request_value(request, key: str):
    """A registered per-user value of the request's user (None when not cached), read with
    the versions; a value the request stores later is remembered with ``remember``."""
    if request is None:
        return cache.get(key)
    return _reads(request).get(key)


def remember(request, key: str, value) -> None:
    """Note on the request a value it has just stored under ``key``."""
    if request is not None:
        _reads(request)[key] = value


def bump_version(key: str) -> None:
    """Move on a version that keys cached pages and fragments: now, and again when the current
    transaction commits. A page rendered in between still reads the old data (the change is
    not committed yet); without the second move it would be cached under the new version and
    outlive the change."""
    _incr(key)
    transaction.on_commit(lambda: _incr(key))


def bump_versions(keys: list[str]) -> None:
    """``bump_version`` for several keys at once (the calendars of the workers a change
    touches)."""
    for key in keys:
        _incr(key)
    keys = list(keys)
    transaction.on_commit(lambda: [_incr(key) for key in keys])


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def content_digest(values) -> str:
    """A short digest of ``values`` (any ``repr``-able values: the ids, times, names and
    statuses a fragment shows), to key a ``{% cache %}`` fragment by what it shows.

    A fragment keyed so (and by the language) needs no invalidation: when anything it shows
    changes, the next view has another key. Whoever keys a fragment by it must list every value
    the fragment shows."""
    return hashlib.sha1(repr(list(values)).encode(), usedforsecurity=False).hexdigest()[:20]
