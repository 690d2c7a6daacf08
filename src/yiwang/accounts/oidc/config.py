"""Settings-time helpers for single sign-on: the ID-token signing key and the upstream provider.

Imported by `yiwang.settings`, so nothing here may touch models or the app registry.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

KEY_ENV = "OIDC_RSA_PRIVATE_KEY"
INACTIVE_KEYS_ENV = "OIDC_RSA_PRIVATE_KEYS_INACTIVE"
KEY_FILE_NAME = "oidc_rsa.pem"
MIN_KEY_BITS = 2048

# Scope → what a department system gets with it. The descriptions are shown on the consent page.
SCOPES = {
    "openid": "登录身份标识",
    "profile": "姓名、实名等级、用户类型（工作人员另含所属部门和区划）",
    "phone": "手机号码",
    "idcard": "居民身份证号码",
}
IDCARD_SCOPE = "idcard"
_PEM_END = "-----END"


def _load_rsa_pem(pem: str, *, source: str) -> str:
    """The PEM text if it holds an RSA private key of at least 2048 bits; else fail loudly."""
    text = pem.replace("\\n", "\n").strip() + "\n"
    try:
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(f"{source} is not a PEM private key without a password") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{source} must be an RSA private key (ID tokens are RS256)")
    if key.key_size < MIN_KEY_BITS:
        raise ImproperlyConfigured(f"{source} must have at least {MIN_KEY_BITS} bits")
    return text


def _generate_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=MIN_KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _development_key(data_dir: Path) -> str:
    """Generate the key once per data directory, readable by the owner only.

    Several web workers may start at once: the key is written to a private temporary file and
    linked into place, so the first one wins and every process reads the same complete key.
    """
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".oidc_rsa.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:  # mkstemp creates the file with mode 0600
                handle.write(_generate_pem())
            with contextlib.suppress(FileExistsError):  # another process linked its key first
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return _load_rsa_pem(path.read_text(), source=str(path))


def signing_key(
    *, data_dir: Path, production: bool, environ: Mapping[str, str] = os.environ
) -> str:
    """The RSA private key (PEM) that signs ID tokens.

    From `OIDC_RSA_PRIVATE_KEY` when set (a literal "\\n" stands for a line break, so the key
    fits on one line of an env file). In production the variable is required: a key generated
    on one machine would differ from the next one's. In development one key is generated and
    kept in `<data_dir>/oidc_rsa.pem` (mode 0600).
    """
    pem = environ.get(KEY_ENV, "").strip()
    if pem:
        return _load_rsa_pem(pem, source=KEY_ENV)
    if production:
        raise ImproperlyConfigured(
            f"{KEY_ENV} must be set when YIWANG_ENV=production (an RSA private key in PEM, "
            "e.g. `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`)"
        )
    return _development_key(data_dir)


def inactive_keys(*, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Retired signing keys, still published in the JWKS so tokens they signed stay valid.

    `OIDC_RSA_PRIVATE_KEYS_INACTIVE` holds zero or more PEM blocks one after the other.
    """
    raw = environ.get(INACTIVE_KEYS_ENV, "").replace("\\n", "\n").strip()
    keys: list[str] = []
    while raw:
        end = raw.find(_PEM_END)
        if end < 0:
            raise ImproperlyConfigured(f"{INACTIVE_KEYS_ENV} holds an incomplete PEM block")
        end = raw.find("-----", end + len(_PEM_END)) + len("-----")
        keys.append(_load_rsa_pem(raw[:end], source=INACTIVE_KEYS_ENV))
        raw = raw[end:].strip()
    return keys


# The provincial provider: environment variable → the mozilla-django-oidc setting it feeds.
UPSTREAM_ENV = {
    "OIDC_UPSTREAM_ISSUER": "OIDC_UPSTREAM_ISSUER",
    "OIDC_UPSTREAM_CLIENT_ID": "OIDC_RP_CLIENT_ID",
    "OIDC_UPSTREAM_CLIENT_SECRET": "OIDC_RP_CLIENT_SECRET",
    "OIDC_UPSTREAM_AUTHORIZATION_ENDPOINT": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_UPSTREAM_TOKEN_ENDPOINT": "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_UPSTREAM_USERINFO_ENDPOINT": "OIDC_OP_USER_ENDPOINT",
    "OIDC_UPSTREAM_JWKS_ENDPOINT": "OIDC_OP_JWKS_ENDPOINT",
}
UPSTREAM_DEFAULT_SCOPES = "openid profile phone idcard"


def upstream_settings(*, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Django settings for the provincial identity provider, or {} when it is not configured.

    Configured means every `OIDC_UPSTREAM_*` variable of `UPSTREAM_ENV` is set; setting only
    some of them is a mistake and fails loudly. ID tokens must be signed with RS256 (or another
    asymmetric algorithm, `OIDC_UPSTREAM_SIGN_ALGO`) and are checked against the JWKS endpoint.
    """
    values = {name: environ.get(name, "").strip() for name in UPSTREAM_ENV}
    if not any(values.values()):
        return {}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ImproperlyConfigured(
            "The provincial identity provider is partly configured; also set " + ", ".join(missing)
        )
    algorithm = environ.get("OIDC_UPSTREAM_SIGN_ALGO", "RS256").strip()
    if not algorithm.startswith(("RS", "ES", "PS")):
        raise ImproperlyConfigured(
            "OIDC_UPSTREAM_SIGN_ALGO must be an asymmetric algorithm (RS256)"
        )
    result = {setting: values[name] for name, setting in UPSTREAM_ENV.items()}
    result["OIDC_UPSTREAM_ISSUER"] = result["OIDC_UPSTREAM_ISSUER"].rstrip("/")
    result["OIDC_RP_SIGN_ALGO"] = algorithm
    result["OIDC_RP_SCOPES"] = (
        environ.get("OIDC_UPSTREAM_SCOPES", "").strip() or UPSTREAM_DEFAULT_SCOPES
    )
    return result
