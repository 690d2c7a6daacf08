"""The lifecycle shared by the local stand-ins for outside systems (SMS gateway, provincial
catalog…): serve on a daemon thread for tests, or in the foreground for development."""

from __future__ import annotations

import abc
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self


class LocalServer(abc.ABC):
    """Subclasses build their HTTP server in `_make_server` and name their thread."""

    thread_name = "local-server"

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @abc.abstractmethod
    def _make_server(self) -> ThreadingHTTPServer:
        """The HTTP server bound to this stand-in's request handler."""

    def start(self) -> Self:
        """Serve on a daemon thread (port 0 picks a free port; see `port` afterwards)."""
        self._server = self._make_server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name=self.thread_name
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server = self._make_server()
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
