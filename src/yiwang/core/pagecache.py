"""Cached public content: the service guide, the matter lists, the home page's figures.

What the public reads changes rarely (a matter published, a department renamed) and is read all
the time. Each cached entry is stored with the *public generation* current when it was built; a
service that changes public content calls `public_changed()`, which raises the generation once its
transaction commits, and every entry built before is then a miss. Entries also expire after their
own time, so nothing stays stale for long even if a writer forgot to call `public_changed()`.

One cache round trip per read: the generation and the entry are fetched together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

T = TypeVar("T")

GENERATION_KEY = "public:generation"
DEFAULT_SECONDS = 600


def _start() -> int:
    """A first generation when the cache has none (new or evicted): nanoseconds since the epoch,
    above any generation an evicted counter could have reached (it started lower and was raised
    once per change), so old entries never match."""
    cache.add(GENERATION_KEY, time.time_ns(), None)
    return int(cache.get(GENERATION_KEY) or 0)


def _raise() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet (or evicted): start one
        _start()


def public_changed() -> None:
    """Public content changed: entries built before this transaction commits are stale."""
    transaction.on_commit(_raise)


def public_cached(name: str, build: Callable[[], T], *, seconds: int = DEFAULT_SECONDS) -> T:
    """The value cached under `name` for the current generation, else `build()` stored for it.
    Exceptions from `build` propagate and nothing is stored."""
    key = f"public:{name}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY) or _start()
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        value: T = entry[1]
        return value
    value = build()
    cache.set(key, (generation, value), seconds)
    return value


def public_page(
    request: HttpRequest,
    *,
    name: str,
    template: str,
    context: Callable[[], dict[str, Any]],
    title: str | Callable[[dict[str, Any]], str] = "",
) -> HttpResponse:
    """A public page whose body (`template`, rendered from `context()` without the request) is
    built once per generation; only the site frame around it (who is signed in, the CSRF token)
    is rendered per request. `title` may be computed from the context."""

    def build() -> tuple[str, SafeString]:
        values = context()
        heading = title(values) if callable(title) else title
        return heading, render_to_string(template, values)

    heading, body = public_cached(name, build)
    return render(request, "public_page.html", {"title": heading, "body": body})
