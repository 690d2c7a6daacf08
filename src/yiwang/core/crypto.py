"""The crypto provider: SM3 digests in software (`cryptography`, OpenSSL).

SM2 signatures and SM4 encryption join this module when licenses and seals need them; a hardware
security module (密码机) plugs in behind the same functions.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes


def sm3_hex(data: bytes) -> str:
    """The SM3 digest (GB/T 32905) of `data`, as 64 lower-case hex characters."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()
