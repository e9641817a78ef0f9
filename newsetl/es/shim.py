"""Loopback shim that lets elasticsearch-py 8.x talk to the embedded Elasticsearch 7.9.

The 8.x client sends `application/vnd.elasticsearch+json; compatible-with=8` media types,
which 7.9 answers with 406, and refuses any server whose responses lack the
`X-Elastic-Product: Elasticsearch` header. The shim rewrites the former to plain JSON and
adds the latter; nothing else changes. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_COMPAT = re.compile(
    r"application/vnd\.elasticsearch\+(json|x-ndjson)(\s*;\s*compatible-with=\d+)?"
)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


def plain_media_type(value: str) -> str:
    """`application/vnd.elasticsearch+json; compatible-with=8` -> `application/json`."""
    return _COMPAT.sub(lambda m: f"application/{m.group(1)}", value)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: tuple[str, int] = ("127.0.0.1", 9201)
    _conn: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the engine logs requests itself when asked to."""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: plain_media_type(v) if k.lower() in ("content-type", "accept") else v
            for k, v in self.headers.items()
            if k.lower() not in _HOP_BY_HOP and k.lower() != "host"
        }
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(*self.upstream, timeout=300)
            try:
                self._conn.request(self.command, self.path, body=body, headers=headers)
                resp = self._conn.getresponse()
                payload = resp.read()
                break
            except (TimeoutError, ConnectionError, http.client.HTTPException):
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    self.send_error(502, "embedded Elasticsearch is not answering")
                    return
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward


def serve(port: int, upstream_port: int) -> None:
    handler = type("Handler", (_Handler,), {"upstream": ("127.0.0.1", upstream_port)})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream-port", type=int, required=True)
    args = parser.parse_args()
    serve(args.port, args.upstream_port)


if __name__ == "__main__":
    main()
