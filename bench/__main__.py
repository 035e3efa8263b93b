"""``python -m bench``: every benchmark, one after the other."""

from __future__ import annotations

import time

from bench import (
    audit,
    burst,
    disclosure,
    ingest,
    pages,
    payroll,
    readload,
    seminars,
    trainings,
)


def main() -> None:
    start = time.perf_counter()
    ingest.main()
    audit.main()
    disclosure.main()
    pages.main()
    burst.main()
    readload.main()
    seminars.main()
    trainings.main()
    payroll.main()
    print()
    print(f"All benchmarks done in {time.perf_counter() - start:.0f} s.")


if __name__ == "__main__":
    main()
