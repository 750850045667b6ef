"""An asyncio program that fans blocking calls out to threads with ``asyncio.to_thread``.

A plain standard-library program: ``python to_thread_fanout.py [CALLS]``. Every call is started at
once and gathered by the event loop; they run on the loop's default executor (a
``concurrent.futures.ThreadPoolExecutor``). Prints totals that do not depend on the order the
calls finished in.
"""

import asyncio
import hashlib
import sys


def blocking_digest(n: int) -> int:
    return hashlib.blake2b(n.to_bytes(8, "little"), digest_size=4).digest()[0]


async def main(calls: int) -> None:
    results = await asyncio.gather(*(asyncio.to_thread(blocking_digest, n) for n in range(calls)))
    print(f"to_thread: {len(results)} of {calls} calls, gathered at once")
    print(f"sum of first digest bytes: {sum(results)}")
    print(f"in order: {results == [blocking_digest(n) for n in range(calls)]}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
