"""What the load generator and the cost replay both send: a small PDF (`yiwang.core.samples`,
as the demo makes it) and the staff's one-time code. Kept apart from `locustfile` because
importing locust patches the standard library for gevent (sockets, threads, `select`), which the
in-process replay (`queries.py`) must not run under: its CPU figures would include gevent's
event loop on every database round trip."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

from yiwang.core.samples import pdf_bytes

# A small valid one-page PDF, base64, as the app sends a scanned material.
PDF = base64.b64encode(pdf_bytes("yiwang bench")).decode()


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 (30 s, 6 digits, SHA-1), as the staff's authenticator app computes it."""
    key = base64.b32decode(secret_b32)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"
