"""Child process for the crash-safety test: saves in a loop until killed.

    python crash_writer.py DATA_DIR

Creates the journal on first use (with seed incidents so each write is a few
hundred KiB), then repeatedly sets the counter incident's title to the next
number and saves.  After each save has returned it prints the committed
number on its own line (flushed), so the parent knows the last committed
state when it kills the process with SIGKILL.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storage_testkit import PASS, fast_store, rich_incident  # noqa: E402

from storage import incidents as inc  # noqa: E402

COUNTER_TITLE = "counter"


async def main(directory: Path) -> None:
    store = fast_store(directory)
    if await store.exists():
        journal = await store.unlock(PASS)
    else:
        journal = await store.create(PASS)
        seed = [rich_incident(f"Seed{k}") for k in range(40)]
        await journal.save_many(seed + [inc.new_incident("0", "anders", reported_by=COUNTER_TITLE)])
    counter = next(i for i in journal.incidents() if i.reported_by == COUNTER_TITLE)
    n = int(counter.title)
    print(f"ready {n}", flush=True)
    while True:
        n += 1
        counter = await journal.save(dataclasses.replace(counter, title=str(n)))
        print(n, flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
