"""A tiny OpenAI-compatible chat server on loopback, for tests and benchmarks.

It answers ``POST /v1/chat/completions`` (plain and streamed) with a fixed
reply after an optional delay, and can fail its first N requests with a given
HTTP status to exercise retries, or a random share of requests with mixed faults
(HTTP 500, a hang longer than the client waits, a body that is not JSON, or a
garbled reply). Run it standalone with
``python -m bow.devtools.mock_openai --port 8099 --delay 0.5 [--fail-rate 0.2]``.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("server-error", "hang", "not-json", "garbled")


class _HTTPServer(ThreadingHTTPServer):
    # socketserver's listen backlog of 5 resets connections when dozens of clients connect at once
    # (every request is a new connection here), which benchmarks at --concurrency 32 would count as retries.
    request_queue_size = 512


class MockOpenAIServer:
    """Start with ``start()``; ``url`` is the base URL to pass as ``--base-url``."""

    def __init__(
        self,
        reply: str = "I choose A.",
        delay_s: float = 0.0,
        fail_first: int = 0,
        fail_status: int = 500,
        port: int = 0,
        fail_rate: float = 0.0,
        hang_s: float = 5.0,
        seed: int = 0,
    ) -> None:
        self.reply = reply
        self.fail_rate = fail_rate
        self.hang_s = hang_s
        self.faults: dict[str, int] = dict.fromkeys(FAULTS, 0)
        self._random = random.Random(seed)
        self.delay_s = delay_s
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.requests = 0
        self._lock = threading.Lock()
        self._server = _HTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8099/v1``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> MockOpenAIServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> MockOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _count(self) -> int:
        with self._lock:
            self.requests += 1
            return self.requests

    def _pick_fault(self) -> str | None:
        """A random fault for ``fail_rate`` of requests (seeded, so runs are repeatable)."""
        with self._lock:
            if self._random.random() >= self.fail_rate:
                return None
            fault = self._random.choice(FAULTS)
            self.faults[fault] += 1
            return fault

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                return

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up waiting (a "hang" fault did its job)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                number = server._count()
                if server.delay_s:
                    time.sleep(server.delay_s)
                fault = server._pick_fault()
                if number <= server.fail_first or fault == "server-error":
                    error = {"error": {"message": "injected failure", "type": "server_error"}}
                    self._send(server.fail_status if number <= server.fail_first else 500, json.dumps(error).encode())
                    return
                if fault == "hang":
                    time.sleep(server.hang_s)  # the client should have given up (and retried) by now
                if fault == "not-json":
                    self._send(200, b"<html><body>502 Bad Gateway (upstream garbage)</body></html>", "text/html")
                    return
                reply = "~~ \x00 ### ??" if fault == "garbled" else server.reply
                words = reply.split()
                usage = {"prompt_tokens": 10, "completion_tokens": len(words), "total_tokens": 10 + len(words)}
                if request.get("stream"):
                    self._stream(request, words, usage)
                    return
                body = {
                    "id": f"mock-{number}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": request.get("model", "mock"),
                    "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": reply}}
                    ],
                    "usage": usage,
                }
                self._send(200, json.dumps(body).encode())

            def _stream(self, request: dict[str, Any], words: list[str], usage: dict[str, int]) -> None:
                chunks = []
                for index, word in enumerate(words):
                    delta = {"content": word if index == 0 else " " + word}
                    chunks.append(
                        {
                            "id": "mock",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": request.get("model", "mock"),
                            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                        }
                    )
                chunks.append(
                    {
                        "id": "mock",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": request.get("model", "mock"),
                        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                        "usage": usage,
                    }
                )
                body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
                self._send(200, body.encode(), "text/event-stream")

        return Handler


def main() -> None:
    """Run the mock server in the foreground."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--reply", default="I choose A.")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="Share of requests given a random fault.")
    args = parser.parse_args()
    server = MockOpenAIServer(reply=args.reply, delay_s=args.delay, port=args.port, fail_rate=args.fail_rate)
    print(f"mock OpenAI server at {server.url}", flush=True)
    server._server.serve_forever()


if __name__ == "__main__":
    main()
