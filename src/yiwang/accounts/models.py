"""Accounts. The foundation only fixes the custom user model; identity (issue 3) grows it."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """Anyone who signs in: citizens, enterprise agents and staff (their profiles come later)."""

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
