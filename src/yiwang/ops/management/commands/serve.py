import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.ops.demo import demo_account_lines

# Requests a production worker handles at once. A request spends about a third of its time
# waiting on PostgreSQL (docs/performance.md); threads let the worker use that time.
PRODUCTION_THREADS = 4


class Command(BaseCommand):
    help = "Serve the platform with granian (WSGI); --with-worker also runs the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--production", action="store_true", help="one worker per core, static collected"
        )
        parser.add_argument("--workers", type=int, default=0, help="web worker processes")
        parser.add_argument(
            "--threads",
            type=int,
            default=0,
            help=f"requests each worker handles at once (default {PRODUCTION_THREADS} with "
            "--production, else 1): threads overlap the waits on PostgreSQL",
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="also run `yiwang worker` beside it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or shutil.which(
            "granian"
        )
        if granian is None:
            raise CommandError("granian is not installed: pip install granian")
        workers = options["workers"] or (os.cpu_count() or 1 if options["production"] else 1)
        threads = options["threads"] or (PRODUCTION_THREADS if options["production"] else 1)
        if options["production"]:
            call_command("collectstatic", "--noinput", verbosity=0)
        command = [
            granian,
            "--interface", "wsgi",
            "--host", options["host"],
            "--port", str(options["port"]),
            "--workers", str(workers),
            "--blocking-threads", str(threads),
            "--no-ws",
            "yiwang.wsgi:application",
        ]  # fmt: skip
        address = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"庆阳市一网通办 已启动：{address}"))
        self.stdout.write(f"  管理后台：{address}admin/    接口文档：{address}api/docs")
        for line in demo_account_lines():
            self.stdout.write(line)
        self.stdout.flush()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.settings"}
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "yiwang", "worker"], env=env)
            self.stdout.write(f"  后台任务进程已启动 (pid {worker.pid})")
        server = subprocess.Popen(command, env=env)
        children = [p for p in (server, worker) if p is not None]

        def stop(signum: int, frame: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            server.wait()
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
