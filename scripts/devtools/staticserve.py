"""Serve a built site the way a static host does: gzip for text types when the
client accepts it, a short cache lifetime, and 404.html for missing paths.

Tests, the benchmark and the Lighthouse audit all serve through this, so the
bytes they measure are the bytes a reader's browser would receive.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".md", ".map"}
GZIP_LEVEL = 6          # what common static hosts use
CACHE_SECONDS = 600     # GitHub Pages sends max-age=600


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler plus gzip, Cache-Control and a custom 404 page."""

    not_found_page: Path | None = None

    def log_message(self, *args):  # keep test and audit output readable
        pass

    def end_headers(self):
        self.send_header("Cache-Control", f"max-age={CACHE_SECONDS}")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.is_file() and path.suffix in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return _Body(body)
        if not path.exists() and not path.is_dir() and self.not_found_page and self.not_found_page.is_file():
            body = self.not_found_page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return _Body(body)
        return super().send_head()


class _Body:
    """A file-like object over bytes, for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(root: Path, port: int | None = None, not_found: Path | None = None) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 in a background thread; yields the origin URL."""
    port = port or free_port()
    handler = type("Handler", (StaticHandler,), {"not_found_page": not_found})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
