"""A real HTTP receiver on loopback for the webhook tests: it records every request (headers and
raw body) and answers with the status codes it is told to, in turn (the last one repeats)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list = field(default_factory=lambda: [200])
    requests: list = field(default_factory=list)
    # hold_first: the first request is kept waiting (`arrived` set) until `release` is set, so a
    # test can kill the worker in the middle of a delivery.
    hold_first: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def start_receiver(answers=(200,), hold_first=False):
    """Returns (receiver, stop)."""
    receiver = Receiver(url="", answers=list(answers), hold_first=hold_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(Received(path=self.path, headers=dict(self.headers.items()), body=body))
            if receiver.hold_first and len(receiver.requests) == 1:
                receiver.arrived.set()
                receiver.release.wait(60)
            status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the caller is gone (killed mid-request)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/giftshop?src=test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        receiver.release.set()
        server.shutdown()
        server.server_close()

    return receiver, stop
