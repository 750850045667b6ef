"""A thread pool running many small tasks, read back as they complete.

A plain standard-library program: ``python small_tasks.py [TASKS]``. Submits every task to a
``concurrent.futures.ThreadPoolExecutor`` and reads the results through ``as_completed``; prints
totals that do not depend on the order the tasks finished in.
"""

import concurrent.futures
import sys

WORKERS = 4


def task(n: int) -> int:
    return sum(range(n % 32))


def main(tasks: int) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(task, n) for n in range(tasks)]
        done = total = 0
        for future in concurrent.futures.as_completed(futures):
            done += 1
            total += future.result()
    print(f"small tasks: {done} of {tasks} done on {WORKERS} workers")
    print(f"sum of results: {total} (expected {sum(task(n) for n in range(tasks))})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
