"""Media sources: the small Protocol every source implements, and what each can do.

The registry of configured sources lives in cache/sources/registry.py (imported on its own, because
it imports every source package, and each of those imports this one).
"""

from cache.sources.base import (
    Capabilities,
    DownloadRequest,
    MediaSource,
    PlayReports,
    SourceContext,
    SourceEntry,
)

__all__ = [
    "Capabilities",
    "DownloadRequest",
    "MediaSource",
    "PlayReports",
    "SourceContext",
    "SourceEntry",
]
