"""Session keys of signing in (no imports: the admin site config loads this early)."""

SECOND_FACTOR = "second_factor"  # "totp" or "sms" once the second factor has been passed
