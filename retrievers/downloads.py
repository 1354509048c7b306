"""Where the browser saves downloads (OPCO EP's .txt token): a folder of the tool's own.

Never Playwright's default `playwright-artifacts-*` temp folder, which a killed run leaves
behind with the key inside. Each process downloads into `<pid>/` (0700) under
`key-retriever.downloads` beside the state database; a flow deletes a file as soon as it has
read it, and each run clears what dead processes left.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from playwright.async_api import Download

T = TypeVar("T")


def downloads_dir(state_path: Path) -> Path:
    root = state_path.with_name("key-retriever.downloads")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    root.chmod(0o700)  # also when something else made it
    for leftover in root.iterdir():
        if not (leftover.name.isdigit() and _alive(int(leftover.name))):
            shutil.rmtree(leftover, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(mode=0o700, exist_ok=True)
    return mine


async def read(download: Download, folder: Path, reader: Callable[[Path], T]) -> T:
    """What `reader` makes of a file a portal sent, leaving no copy of it anywhere (it holds a
    key, or an adviser's clients). Saved into `folder` by Playwright, which also brings it over
    the connection from a browser served by a Playwright server."""
    copy = folder / f"{uuid.uuid4().hex}{Path(download.suggested_filename).suffix}"
    try:
        await download.save_as(copy)
        return reader(copy)
    finally:
        copy.unlink(missing_ok=True)
        await download.delete()  # the browser's own copy


def clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
