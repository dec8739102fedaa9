"""What the fake providers share: an HTTP server on a free loopback port, in a thread, whose every
GET and POST goes to the fake's `respond(method, path, headers, body) -> (status, headers, bytes)`."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def respond(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict, bytes]:
        raise NotImplementedError


def _handler_for(fake: LoopbackServer):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            status, headers, data = fake.respond(method, self.path, self.headers,
                                                 self.rfile.read(length) if length else b"")
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", "Content-Length": str(len(data)),
                                **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

        def log_message(self, *args):
            pass

    return Handler
