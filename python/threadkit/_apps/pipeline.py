"""A multi-stage pipeline: a reader, two transforming stages and a writer, joined by queues.

A plain standard-library program: ``python pipeline.py [ITEMS]``. Each stage is a thread taking
items from a bounded ``queue.Queue`` and putting its result on the next one; ``None`` ends the
stream. Prints what reached the end, which does not depend on how the threads interleave.
"""

import queue
import sys
import threading
import zlib

STAGE_QUEUE_SIZE = 64


def read(items: int, out: "queue.Queue[bytes | None]") -> None:
    for n in range(items):
        out.put(b"record %d" % n)
    out.put(None)


def parse(inbox: "queue.Queue[bytes | None]", out: "queue.Queue[tuple[int, bytes] | None]") -> None:
    while (record := inbox.get()) is not None:
        out.put((int(record.split()[1]), record))
    out.put(None)


def enrich(
    inbox: "queue.Queue[tuple[int, bytes] | None]", out: "queue.Queue[tuple[int, int] | None]"
) -> None:
    while (item := inbox.get()) is not None:
        number, record = item
        out.put((number, zlib.crc32(record)))
    out.put(None)


def write(inbox: "queue.Queue[tuple[int, int] | None]", totals: list[int]) -> None:
    count = numbers = checksum = 0
    while (item := inbox.get()) is not None:
        count += 1
        numbers += item[0]
        checksum = (checksum + item[1]) % 2**32
    totals.extend((count, numbers, checksum))


def main(items: int) -> None:
    records: queue.Queue[bytes | None] = queue.Queue(STAGE_QUEUE_SIZE)
    parsed: queue.Queue[tuple[int, bytes] | None] = queue.Queue(STAGE_QUEUE_SIZE)
    enriched: queue.Queue[tuple[int, int] | None] = queue.Queue(STAGE_QUEUE_SIZE)
    totals: list[int] = []
    stages = [
        threading.Thread(target=read, args=(items, records), name="read"),
        threading.Thread(target=parse, args=(records, parsed), name="parse"),
        threading.Thread(target=enrich, args=(parsed, enriched), name="enrich"),
        threading.Thread(target=write, args=(enriched, totals), name="write"),
    ]
    for stage in stages:
        stage.start()
    for stage in stages:
        stage.join()
    count, numbers, checksum = totals
    print(f"pipeline: {count} of {items} records through 4 stages")
    print(f"sum of record numbers: {numbers} (expected {items * (items - 1) // 2})")
    print(f"sum of crc32s mod 2**32: {checksum:08x}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
