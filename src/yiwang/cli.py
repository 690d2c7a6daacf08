"""The `yiwang` console command: Django's management commands with Yiwang's settings.

`yiwang serve`, `yiwang worker`, `yiwang demo`, `yiwang audit verify`, `yiwang calendar load FILE`
are management commands of the `core` app; every other Django command works too
(`yiwang migrate`, `yiwang createsuperuser`, `yiwang check --deploy` …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "yiwang"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
