"""The local HTTP server the fetcher (``http_fetch.py``) reads from.

A plain standard-library program: ``python http_server.py``. Serves ``GET /item/<n>`` on
127.0.0.1 at a port the OS chooses, one thread per connection, and prints its address on the first
line (``serving on http://127.0.0.1:PORT/``); it stops when its standard input closes.
"""

import http.server
import sys
import threading


def body(n: int) -> bytes:
    """The content of item ``n``: generated, so a client can check every byte it got."""
    return (b"item %d;" % n) * (16 + n % 64)


class ItemHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        prefix = "/item/"
        name = self.path[len(prefix) :] if self.path.startswith(prefix) else ""
        if not name.isdigit():
            self.send_error(404)
            return
        content = body(int(name))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would be most of the work


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: a pool of clients connecting at once overflows it,
    # and each dropped connection attempt is retried by the client's kernel a second later.
    request_queue_size = 128


def main() -> None:
    server = Server(("127.0.0.1", 0), ItemHandler)
    serving = threading.Thread(target=server.serve_forever, name="http-server", daemon=True)
    serving.start()
    host, port = server.server_address[:2]
    print(f"serving on http://{host!s}:{port}/", flush=True)
    sys.stdin.read()  # until the parent closes our standard input
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
