import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from yiwang.core.scheduler import scheduler_tick


class Command(BaseCommand):
    help = "Run background tasks (database queue) and the scheduler for periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--tick", type=float, default=30.0, help="seconds between scheduler checks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["batch"]:
            stop = threading.Event()
            thread = threading.Thread(
                target=self._schedule, args=(stop, options["tick"]), daemon=True, name="scheduler"
            )
            thread.start()
        else:
            scheduler_tick()
        worker_args = ["--queue-name", "*", "--no-startup-delay", "--no-reload"]
        if options["batch"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, verbosity=options["verbosity"])

    def _schedule(self, stop: threading.Event, tick: float) -> None:
        while not stop.is_set():
            try:
                scheduler_tick()
            except Exception:  # keep the scheduler alive; the error is logged
                self.stderr.write("scheduler tick failed; retrying")
            finally:
                close_old_connections()
            time.sleep(tick)
