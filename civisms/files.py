"""Reading a file a user names, safely: a regular file, never more than a limit.

``/dev/zero`` would fill the memory, a FIFO would hang the command, ``/proc/self/mem``
fails on read: only regular files are read, opened without blocking, and at most
``limit + 1`` bytes are read whatever the size the file claims.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(Exception):
    """The file cannot be used; ``str()`` says why, in words for the user."""


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``; ``FileRefused`` when it is not one, cannot
    be read, or holds more than ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileRefused(exc.strerror or str(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "not a regular file")
            raise FileRefused(f"{kind}; expected a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileRefused(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise FileRefused(f"more than {limit:,} bytes")
    return b"".join(chunks)
