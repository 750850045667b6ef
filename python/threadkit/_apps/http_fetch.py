"""A pool of threads fetching many URLs from a web server.

A plain standard-library program: ``python http_fetch.py BASE_URL [REQUESTS]``, against the
server of ``http_server.py`` (which prints its ``BASE_URL``). Fetches ``BASE_URL/item/<n>`` for
every ``n`` with ``urllib.request`` on a ``concurrent.futures.ThreadPoolExecutor`` and prints what
it got, which does not depend on the order the requests finished in.
"""

import concurrent.futures
import sys
import urllib.request
import zlib

WORKERS = 16
TIMEOUT = 30.0

# Only the given server is fetched: no proxy, whatever the environment says.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> bytes:
    with opener.open(url, timeout=TIMEOUT) as response:
        data: bytes = response.read()
        return data


def main(base_url: str, requests: int) -> None:
    urls = [f"{base_url.rstrip('/')}/item/{n}" for n in range(requests)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        bodies = list(pool.map(fetch, urls))
    print(f"http fetch: {len(bodies)} of {requests} URLs on {WORKERS} threads")
    print(f"bytes: {sum(map(len, bodies))}, crc32 of all: {zlib.crc32(b''.join(bodies)):08x}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(f"usage: {sys.argv[0]} BASE_URL [REQUESTS]  (BASE_URL: see http_server.py)")
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2_000)
