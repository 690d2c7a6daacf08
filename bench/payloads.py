"""What the load generator and the cost replay both send: a small PDF and the staff's one-time
code. Kept apart from `locustfile` because importing locust patches the standard library for
gevent (sockets, threads, `select`), which the in-process replay (`queries.py`) must not run
under: its CPU figures would include gevent's event loop on every database round trip."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import zlib


def _pdf(text: str) -> str:
    """A small valid one-page PDF, base64 (as `cases.demo.pdf_bytes` makes it)."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return base64.b64encode(bytes(out)).decode()


PDF = _pdf("yiwang bench")


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 (30 s, 6 digits, SHA-1), as the staff's authenticator app computes it."""
    key = base64.b32decode(secret_b32)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"
