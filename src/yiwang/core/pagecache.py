"""Cached public content: the service guide, the matter lists, the home page's figures.

What the public reads changes rarely (a matter published, a department renamed) and is read all
the time. Each cached entry is stored with the *public generation* current when it was built; a
service that changes public content calls `public_changed()`, which raises the generation once its
transaction commits, and every entry built before is then a miss. Entries also expire after their
own time, so nothing stays stale for long even if a writer forgot to call `public_changed()`.

One cache round trip per read: the generation and the entry are fetched together. Each
process also keeps what it read for `PUBLIC_CACHE_LOCAL_MS` after it last read the generation
(`_Local`): the hottest pages then cost no round trip at all, and a change made by another
process shows here at most that much later. The process that made a change sees it at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString

T = TypeVar("T")

GENERATION_KEY = "public:generation"
DEFAULT_SECONDS = 600
# Search answers are cached briefly: the popular queries hit, and the cache of rare ones empties
# itself quickly.
SEARCH_SECONDS = 120
FRAME = "public_page.html"
MESSAGES_COOKIE = CookieStorage.cookie_name


def _start() -> int:
    """A first generation when the cache has none (new or evicted): nanoseconds since the epoch,
    above any generation an evicted counter could have reached (it started lower and was raised
    once per change), so old entries never match."""
    cache.add(GENERATION_KEY, time.time_ns(), None)
    return int(cache.get(GENERATION_KEY) or 0)


class _Local:
    """This process's copy of recently read entries, trusted while the generation it last read
    is younger than `PUBLIC_CACHE_LOCAL_MS`. Bounded: emptied when it holds `LIMIT` entries
    (the matter lists are cached per query, so their names are many)."""

    LIMIT = 256

    def __init__(self) -> None:
        self.generation: int | None = None
        self.read_at = 0.0
        self.entries: dict[str, tuple[int, float, Any]] = {}
        self.lock = threading.Lock()

    def get(self, name: str, now: float) -> tuple[bool, Any]:
        window = settings.PUBLIC_CACHE_LOCAL_MS / 1000
        entry = self.entries.get(name)
        if entry is None or now - self.read_at >= window:
            return False, None
        generation, expires, value = entry
        return generation == self.generation and now < expires, value

    def put(self, name: str, generation: int, value: Any, seconds: int, now: float) -> None:
        with self.lock:
            if len(self.entries) >= self.LIMIT:
                self.entries.clear()
            self.entries[name] = (generation, now + seconds, value)
            self.seen(generation, now)

    def seen(self, generation: int, now: float) -> None:
        if now >= self.read_at:
            self.generation, self.read_at = generation, now

    def forget(self) -> None:
        with self.lock:
            self.generation, self.read_at = None, 0.0
            self.entries.clear()


_local = _Local()
_clock = time.monotonic


def local_forget() -> None:
    """Drop this process's copies (tests that empty the shared cache call this too)."""
    _local.forget()


def _raise() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet (or evicted): start one
        _start()
    _local.forget()  # this process sees its own change at once


def public_changed() -> None:
    """Public content changed: entries built before this transaction commits are stale."""
    transaction.on_commit(_raise)


def public_cached(name: str, build: Callable[[], T], *, seconds: int = DEFAULT_SECONDS) -> T:
    """The value cached under `name` for the current generation, else `build()` stored for it.
    Exceptions from `build` propagate and nothing is stored."""
    now = _clock()
    hit, local = _local.get(name, now)
    if hit:
        found_here: T = local
        return found_here
    key = f"public:{name}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY) or _start()
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        value: T = entry[1]
    else:
        value = build()
        cache.set(key, (generation, value), seconds)
    _local.put(name, generation, value, seconds, now)
    return value


def public_page(
    request: HttpRequest,
    *,
    name: str,
    template: str,
    context: Callable[[], dict[str, Any]],
    title: str | Callable[[dict[str, Any]], str] = "",
    seconds: int = DEFAULT_SECONDS,
) -> HttpResponse:
    """A public page whose body (`template`, rendered from `context()` without the request) is
    built once per generation. A visitor without a session gets the whole page as built; anyone
    else gets the body in a frame rendered for them (who is signed in, messages, the CSRF token).
    `title` may be computed from the context."""

    def build() -> tuple[str, SafeString, SafeString]:
        values = context()
        heading = title(values) if callable(title) else title
        body = render_to_string(template, {"site": settings.YIWANG, **values})
        frame = {"title": heading, "body": body, "site": settings.YIWANG, "user": AnonymousUser()}
        return heading, body, render_to_string(FRAME, frame)

    heading, body, whole = public_cached(name, build, seconds=seconds)
    if _visitor(request):
        response = HttpResponse(whole)
    else:
        response = render(request, FRAME, {"title": heading, "body": body})
    patch_vary_headers(response, ["Cookie"])
    return response


def _visitor(request: HttpRequest) -> bool:
    """No session and no pending message: nothing on the page can be personal."""
    cookies = request.COOKIES
    return not cookies.get(settings.SESSION_COOKIE_NAME) and MESSAGES_COOKIE not in cookies
