"""An asyncio program that fans blocking calls out to threads with ``asyncio.to_thread``.

A plain standard-library program: ``python to_thread_fanout.py [CALLS]``. The calls run on the
event loop's default executor (a ``concurrent.futures.ThreadPoolExecutor``), in batches gathered
by the loop; prints totals that do not depend on the order the calls finished in.
"""

import asyncio
import hashlib
import sys

BATCH = 1_000


def blocking_digest(n: int) -> int:
    return hashlib.blake2b(n.to_bytes(8, "little"), digest_size=4).digest()[0]


async def main(calls: int) -> None:
    results: list[int] = []
    for start in range(0, calls, BATCH):
        batch = range(start, min(start + BATCH, calls))
        results += await asyncio.gather(*(asyncio.to_thread(blocking_digest, n) for n in batch))
    print(f"to_thread: {len(results)} of {calls} calls in batches of {BATCH}")
    print(f"sum of first digest bytes: {sum(results)}")
    print(f"in order: {results == [blocking_digest(n) for n in range(calls)]}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
