"""Password hashers: argon2 with parameters chosen for the machine, and a cheap one for tests.

Tests switch to `TestArgon2PasswordHasher` in the root conftest."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1


class YiwangArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).

    Django's defaults (100 MiB, 2 passes, 8 lanes) cost 0.3 CPU-seconds a check on a 2-core
    machine (measured, docs/performance.md): 8 logins a second would take 2.5 cores. These
    parameters measured 0.032 s. Passwords hashed with other parameters are re-hashed on the
    next successful login (`must_update`)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
