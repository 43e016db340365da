"""Which media sources exist: data, not code paths. Each source package exposes one `SourceEntry`
that builds its source from the settings (or None when they do not configure it); adding a source
is one new package and its entry in `ENTRIES`."""

from __future__ import annotations

from cache.local.source import ENTRY as LOCAL
from cache.models import SourceKind
from cache.sources.base import MediaSource, SourceContext, SourceEntry


def _jellyfin(context: SourceContext) -> MediaSource | None:
    # The Jellyfin package (client, catalogue, remote control) is imported only when configured.
    if context.settings.jellyfin is None:
        return None
    from cache.jellyfin.source import ENTRY

    return ENTRY.build(context)


JELLYFIN = SourceEntry(SourceKind.JELLYFIN.value, _jellyfin)


def _subsonic(context: SourceContext) -> MediaSource | None:
    if context.settings.subsonic is None:  # imported only when configured, as Jellyfin
        return None
    from cache.subsonic.source import ENTRY

    return ENTRY.build(context)


SUBSONIC = SourceEntry(SourceKind.SUBSONIC.value, _subsonic)

ENTRIES: tuple[SourceEntry, ...] = (LOCAL, JELLYFIN, SUBSONIC)


def build_sources(
    context: SourceContext, entries: tuple[SourceEntry, ...] = ENTRIES
) -> dict[str, MediaSource]:
    """The configured sources by name, in the entries' order."""
    built: dict[str, MediaSource] = {}
    for entry in entries:
        source = entry.build(context)
        if source is not None:
            built[entry.name] = source
    return built
