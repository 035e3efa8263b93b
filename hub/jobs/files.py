"""Files under the hub's temporary directory, and their purge."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path


def purge_old_files(folder: Path, older_than: datetime) -> int:
    """Delete the files under ``folder`` last modified before ``older_than``, then the folders
    left empty; how many files went. A missing folder holds nothing to purge."""
    if not folder.is_dir():
        return 0
    limit = older_than.astimezone(UTC).timestamp()
    removed = 0
    for root, folders, files in os.walk(folder, topdown=False, followlinks=False):
        here = Path(root)
        for name in files:
            path = here / name
            try:
                if path.lstat().st_mtime < limit:
                    path.unlink()  # a symbolic link goes, never what it points to
                    removed += 1
            except FileNotFoundError:
                continue  # another process purged it first
        for name in folders:
            path = here / name
            try:
                if not path.is_symlink() and path.stat().st_mtime < limit:
                    path.rmdir()
            except OSError:
                continue  # not empty, or already gone
    return removed
