"""A cheap argon2 for the test suite only (the default costs ~0.8 s a hash on a 2-core machine).

Tests switch to it in the root conftest; production keeps Django's argon2 parameters."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
