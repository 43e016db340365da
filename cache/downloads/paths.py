"""Where a download lives inside the cache directory: derived from ids only, never from a client."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

MEDIA_DIR = "media"
PART_SUFFIX = ".part"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_SAFE_EXT = re.compile(r"^[a-z0-9]{1,8}$")


def _safe(component: str) -> str:
    # Ids from other sources (slskd paths) may hold anything; a hash keeps them inside the tree.
    return (
        component if _SAFE_ID.match(component) else hashlib.sha256(component.encode()).hexdigest()
    )


def relative_media_path(source: str, item_id: str, container: str) -> str:
    """`media/<source>/<id[:2]>/<id>.<ext>`, POSIX style, relative to the cache directory."""
    key = _safe(item_id)
    ext = container.lower() if _SAFE_EXT.match(container.lower()) else "bin"
    return str(PurePosixPath(MEDIA_DIR, _safe(source), key[:2], f"{key}.{ext}"))


def absolute(cache_dir: Path, relative: str) -> Path:
    """The absolute path of a stored relative path; refuses anything outside the media tree."""
    path = (cache_dir / relative).resolve()
    root = (cache_dir / MEDIA_DIR).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{relative!r} is outside the media directory")
    return path


def part_path(final: Path) -> Path:
    """The partial file next to the final one."""
    return final.with_name(final.name + PART_SUFFIX)
