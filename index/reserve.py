"""Room to read the index when its disk is full.

Reading a Chroma folder writes to it: every client that opens it records a row in its database (under a
rollback journal, about 9 KB), and the first read after a write that failed midway applies the log records
that write left (tens to hundreds of KB). With the disk full to the last byte, `assistant ask` and
`assistant index --status` both stopped with the disk-full message, so a user could neither see which
documents were incomplete nor ask about the others.

So every writer keeps a reserve file next to the index (`RESERVE_BYTES`, really allocated), made while there
is room, and a reader that meets a full disk releases it and reads again: the space it frees is what reading
needs. The next writer that finds room makes it again. A writer never uses it: the room is kept for reading.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RESERVE_BYTES = 8 * 1024 * 1024


def path_for(index_dir: Path) -> Path:
    index_dir = Path(index_dir)
    return index_dir.parent / f".{index_dir.name}.reserve"


def keep(index_dir: Path) -> bool:
    """Make the reserve if it is missing and there is room (never fails: without room, there is none)."""
    path = path_for(index_dir)
    try:
        if path.stat().st_size >= RESERVE_BYTES:
            return True
    except OSError:
        pass
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, RESERVE_BYTES)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False


def release(index_dir: Path) -> int:
    """Delete the reserve; the bytes it freed (0 when there was none)."""
    path = path_for(index_dir)
    try:
        size = path.stat().st_size
        path.unlink()
        return size
    except OSError:
        return 0


def has_room(folder: Path) -> bool:
    """Whether the disk of `folder` has room to keep a cache (derived views, field vectors): a nearly full
    disk is left to the index, and a cache not kept is only computed again at the next start."""
    from index.errors import LOW_SPACE_BYTES

    target = next((p for p in [Path(folder), *Path(folder).parents] if p.exists()), None)
    try:
        return target is not None and shutil.disk_usage(target).free >= LOW_SPACE_BYTES
    except OSError:
        return False
