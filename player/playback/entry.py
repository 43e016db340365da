"""A play-queue entry: its id and its track, packed (a 20,000-entry queue is kept in memory)."""

from __future__ import annotations

from typing import Any, NewType

from cache.models import AlbumId, ItemId, SourceKind, Track

EntryId = NewType("EntryId", str)


class Entry:
    """One queue entry: its id and its track, in about a third of a Track's memory.

    A Track is 16 slots and seven strings (some 700 bytes with a local file's tags): a
    20,000-entry queue kept one per entry. An entry keeps the track's id and source as they are
    and packs every other field into one string; `item` builds the Track again when one is read
    (the current and next entries, the pre-cacher's window), `to_json` its JSON without one (a
    page of the queue, the whole queue). Immutable, and equal by value, as the Track was.
    """

    __slots__ = ("_text", "entry_id", "item_id", "source")
    entry_id: EntryId
    item_id: ItemId
    source: SourceKind
    _text: str  # the track's other fields, packed (_pack)

    def __init__(self, entry_id: EntryId, item: Track) -> None:
        put = object.__setattr__
        put(self, "entry_id", entry_id)
        put(self, "item_id", item.id)
        put(self, "source", item.source)
        put(self, "_text", _pack(item))

    @property
    def item(self) -> Track:
        """The entry's track, built again from what the entry holds."""
        duration, size, number, disc, year, gain_track, gain_album, offline, *text = _unpack(
            self._text
        )
        title, album, album_id, container, album_artist, *artists = text
        return Track(
            id=self.item_id, title=title, album=album, album_id=AlbumId(album_id),
            artists=tuple(artists), duration=_real(duration), track_number=_whole(number),
            disc_number=_whole(disc), container=container, size=int(size), source=self.source,
            available_offline=bool(offline), album_artist=album_artist, year=_whole(year),
            replaygain_track=_maybe_real(gain_track), replaygain_album=_maybe_real(gain_album),
        )  # fmt: skip

    @property
    def duration(self) -> float:
        return _real(_unpack(self._text)[0])

    def to_json(self) -> dict[str, Any]:
        """api.md's Entry: what `{"entry_id", "item": self.item.to_json()}` gives, made without
        the Track (a whole queue's JSON makes 20,000 of these)."""
        duration, size, number, disc, _, _, _, offline, *text = _unpack(self._text)
        title, album, album_id, container, _, *artists = text
        item = {
            "id": self.item_id, "title": title, "album": album, "album_id": album_id,
            "artists": artists, "duration": _real(duration), "track_number": _whole(number),
            "disc_number": _whole(disc), "container": container, "size": int(size),
            "source": str(self.source), "available_offline": bool(offline),
        }  # fmt: skip
        return {"entry_id": self.entry_id, "item": item}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[str, str, str, str]:
        return (self.entry_id, self.item_id, self.source, self._text)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a queue entry cannot be changed ({name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a queue entry cannot be changed ({name})")

    def __reduce__(self) -> tuple[type[Entry], tuple[EntryId, Track]]:
        # copy and pickle make it again through __init__ (its attributes cannot be set).
        return (Entry, (self.entry_id, self.item))

    def __repr__(self) -> str:
        return f"Entry(entry_id={self.entry_id!r}, item={self.item!r})"


# The numbers first (their repr, "" for None) and available_offline ("1" or ""), then the text;
# the artists come last, as many as there are.
_SEP = "\x00"
_PREFIXED = "\x01"  # starts the slower form (a duration's repr never does)


def _pack(t: Track) -> str:
    """One string in place of a dozen objects: the fields joined by NUL, which tags practically
    never hold; when one does, each field after its length as one character (any text packs)."""
    fields = [
        repr(t.duration), repr(t.size), _text(t.track_number), _text(t.disc_number), _text(t.year),
        _text(t.replaygain_track), _text(t.replaygain_album), "1" if t.available_offline else "",
        t.title, t.album, t.album_id, t.container, t.album_artist, *t.artists,
    ]  # fmt: skip
    packed = _SEP.join(fields)
    if packed.count(_SEP) == len(fields) - 1:  # no field holds a NUL of its own
        return packed
    return _PREFIXED + "".join(chr(len(f)) + f for f in fields)


def _text(number: float | None) -> str:
    return "" if number is None else repr(number)


def _unpack(text: str) -> list[str]:
    if not text.startswith(_PREFIXED):
        return text.split(_SEP)
    fields: list[str] = []
    at = 1
    while at < len(text):
        end = at + 1 + ord(text[at])
        fields.append(text[at + 1 : end])
        at = end
    return fields


def _real(text: str) -> float:
    # The repr of a float always holds one of ".en" ("1e+20", "inf", "nan"); an int's never does,
    # so a duration given as an int comes back an int (its JSON unchanged).
    return float(text) if "." in text or "e" in text or "n" in text else int(text)


def _maybe_real(text: str) -> float | None:
    return _real(text) if text else None


def _whole(text: str) -> int | None:
    return int(text) if text else None
