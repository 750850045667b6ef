"""Several threads logging through one ``QueueHandler``, written out by a ``QueueListener``.

A plain standard-library program: ``python queue_logging.py [MESSAGES_PER_THREAD]``. The threads
log to a ``logging.handlers.QueueHandler`` over a ``queue.Queue``; a ``QueueListener`` thread
formats the records into a stream. Prints what was written, checked per thread (each thread's
lines arrive in the order it logged them, whatever the interleaving).
"""

import io
import logging
import logging.handlers
import queue
import sys
import threading

THREADS = 4


def work(logger: logging.Logger, messages: int) -> None:
    for n in range(messages):
        logger.info("message %d of %d", n, messages)


def main(messages: int) -> None:
    records: queue.Queue[logging.LogRecord] = queue.Queue()
    stream = io.StringIO()
    output = logging.StreamHandler(stream)
    output.setFormatter(logging.Formatter("%(threadName)s %(levelname)s %(message)s"))
    listener = logging.handlers.QueueListener(records, output)
    logger = logging.getLogger("app")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(logging.handlers.QueueHandler(records))
    listener.start()
    threads = [
        threading.Thread(target=work, args=(logger, messages), name=f"worker-{t}")
        for t in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listener.stop()
    lines: dict[str, list[str]] = {thread.name: [] for thread in threads}
    for line in stream.getvalue().splitlines():
        name, _, message = line.partition(" INFO ")
        lines[name].append(message)
    expected = [f"message {n} of {messages}" for n in range(messages)]
    print(f"queue logging: {THREADS} threads x {messages} messages through a QueueListener")
    for name, messages_seen in lines.items():
        print(f"{name}: {len(messages_seen)} lines, in order: {messages_seen == expected}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25_000)
