"""Reading a music file's tags with mutagen, falling back to file and folder names.

Every container's tags are first flattened into one lowercase-key view (`title`, `album`, `artist`,
`albumartist`, `tracknumber`, `discnumber`, `date`, `genre`, `replaygain_*_gain`), so the parsing
below does not care whether they came from ID3 frames, MP4 atoms or Vorbis comments.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from cache.local.errors import UnreadableFileError
from cache.local.flac import read_flac_header

AUDIO_SUFFIXES = frozenset(
    {".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".wav", ".aif", ".aiff"}
    | {".wma", ".ape", ".wv", ".mpc"}
)
UNKNOWN_ARTIST = "Unknown Artist"
UNKNOWN_ALBUM = "Unknown Album"

_ID3_KEYS = {
    "TIT2": "title",
    "TALB": "album",
    "TPE1": "artist",
    "TPE2": "albumartist",
    "TRCK": "tracknumber",
    "TPOS": "discnumber",
    "TDRC": "date",
    "TCON": "genre",
}
_MP4_KEYS = {
    "©nam": "title",
    "©alb": "album",
    "©ART": "artist",
    "aART": "albumartist",
    "trkn": "tracknumber",
    "disk": "discnumber",
    "©day": "date",
    "©gen": "genre",
}
# APEv2 and ASF spellings of the same fields (Vorbis comments already use the canonical names).
_ALIASES = {
    "album artist": "albumartist",
    "track": "tracknumber",
    "disc": "discnumber",
    "year": "date",
    "author": "artist",
    "wm/albumtitle": "album",
    "wm/albumartist": "albumartist",
    "wm/tracknumber": "tracknumber",
    "wm/partofset": "discnumber",
    "wm/year": "date",
    "wm/genre": "genre",
}
_NUMBERED_NAME = re.compile(r"^\s*(?:(\d{1,2})[-.])?(\d{1,3})\s*(?:[-._]\s*|\s+)(.+)$")


class TagInfo(NamedTuple):
    """What tapedeck keeps of a file's tags (already with the name-based fallbacks). A NamedTuple:
    a first scan makes one per file, and a frozen dataclass's __init__ costs several times more."""

    title: str
    album: str
    artists: tuple[str, ...]
    album_artist: str
    track_number: int | None
    disc_number: int | None
    year: int | None
    duration: float
    genre: str = ""
    replaygain_track: float | None = None
    replaygain_album: float | None = None


def read_tags(path: Path | str, relpath: PurePosixPath | str) -> TagInfo:
    """Tags of the file at `path`; `relpath` (relative to music_dir) feeds the fallbacks.

    Raises UnreadableFileError when mutagen does not recognise the file or fails to parse it.
    """
    if os.fspath(path).lower().endswith(".flac"):
        try:
            header = read_flac_header(path)
        except OSError as err:
            raise UnreadableFileError(f"cannot read {relpath}: {err}") from err
        if header is not None:
            view, duration = header
            return _build(_aliased(view), duration, relpath)
    import mutagen  # only for what the FLAC header reader leaves (loaded on first use)

    try:
        audio = mutagen.File(path)
    # mutagen's parsers meet arbitrary bytes here and raise more than MutagenError
    # (struct.error, ValueError, ...); any of them means "this file is not usable audio".
    except Exception as err:
        raise UnreadableFileError(f"cannot read {relpath}: {err}") from err
    if audio is None or getattr(audio, "info", None) is None:
        raise UnreadableFileError(f"{relpath} is not a recognised audio file")
    return _build(_flatten(audio.tags), float(getattr(audio.info, "length", 0.0) or 0.0), relpath)


def _flatten(tags: Any) -> dict[str, list[str]]:
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4Tags

    if tags is None:
        return {}
    if isinstance(tags, ID3):
        return _flatten_id3(tags)
    if isinstance(tags, MP4Tags):
        return _flatten_mp4(tags)
    view: dict[str, list[str]] = {}
    for key in tags.keys():  # noqa: SIM118 - VComment is a list of pairs; keys() dedupes
        values = tags[key]
        name = str(key).lower()
        view[_ALIASES.get(name, name)] = [
            str(v) for v in (values if isinstance(values, list) else [values])
        ]
    return view


def _aliased(view: dict[str, list[str]]) -> dict[str, list[str]]:
    """Vorbis comments read by cache.local.flac under the canonical names (most files use them
    already: then the view itself, checked in C instead of rebuilt key by key)."""
    if _ALIASES.keys().isdisjoint(view):
        return view
    return {_ALIASES.get(key, key): values for key, values in view.items()}


def _flatten_id3(tags: Any) -> dict[str, list[str]]:
    view: dict[str, list[str]] = {}
    for frame in tags.values():
        if frame.FrameID == "TXXX":
            view[str(frame.desc).lower()] = [str(t) for t in frame.text]
        elif frame.FrameID in _ID3_KEYS:
            view[_ID3_KEYS[frame.FrameID]] = [str(t) for t in frame.text]
    return view


def _flatten_mp4(tags: Any) -> dict[str, list[str]]:
    view: dict[str, list[str]] = {}
    for key, values in tags.items():
        if key in ("trkn", "disk"):
            view[_MP4_KEYS[key]] = [f"{n}/{total}" for n, total in values]
        elif key in _MP4_KEYS:
            view[_MP4_KEYS[key]] = [str(v) for v in values]
        elif key.startswith("----:com.apple.iTunes:"):
            name = key.rsplit(":", 1)[1].lower()
            view[name] = [bytes(v).decode("utf-8", "replace") for v in values]
    return view


def _first(view: Mapping[str, list[str]], key: str) -> str:
    for value in view.get(key, ()):
        if text := value.strip():
            return text
    return ""


_LEADING_INT = re.compile(r"\s*(\d+)")
_YEAR = re.compile(r"\b(\d{4})\b")
_GAIN = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)")


def _leading_int(text: str) -> int | None:
    if text.isdigit() and text.isascii():  # the usual "7": no regex (int() takes other digits)
        return int(text)
    match = _LEADING_INT.match(text)
    return int(match.group(1)) if match else None


def _year(text: str) -> int | None:
    match = _YEAR.search(text) if text else None
    return int(match.group(1)) if match else None


def _gain(text: str) -> float | None:
    match = _GAIN.match(text) if text else None
    return float(match.group(1)) if match else None


def _artists(view: Mapping[str, list[str]]) -> tuple[str, ...]:
    names: list[str] = []
    for value in view.get("artist", []):
        name = value.strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _build(view: Mapping[str, list[str]], duration: float, relpath: PurePosixPath | str) -> TagInfo:
    title, album = _first(view, "title"), _first(view, "album")
    album_artist, artists = _first(view, "albumartist"), _artists(view)
    track = _leading_int(_first(view, "tracknumber"))
    disc = _leading_int(_first(view, "discnumber"))
    # The path is parsed only when a tag is missing: most files carry them all, and a scan of
    # 20,000 files would spend a fifth of its time guessing what it already knows.
    if not (title and album and (artists or album_artist)) or track is None or disc is None:
        guess = guess_from_path(PurePosixPath(relpath))
        title, album = title or guess.title, album or guess.album
        artists = artists or (album_artist or guess.album_artist,)
        track = track if track is not None else guess.track_number
        disc = disc if disc is not None else guess.disc_number
    return TagInfo(
        title=title,
        album=album,
        artists=artists,
        album_artist=album_artist,
        track_number=track,
        disc_number=disc,
        year=_year(_first(view, "date")),
        duration=max(0.0, duration),
        genre=_first(view, "genre"),
        replaygain_track=_gain(_first(view, "replaygain_track_gain")),
        replaygain_album=_gain(_first(view, "replaygain_album_gain")),
    )


def guess_from_path(relpath: PurePosixPath) -> TagInfo:
    """Tags guessed from "Artist/Album/[disc-]NN - Title.ext" for files that carry none."""
    parents = relpath.parts[:-1]
    album = parents[-1] if parents else UNKNOWN_ALBUM
    artist = parents[-2] if len(parents) >= 2 else UNKNOWN_ARTIST
    title, track, disc = relpath.stem, None, None
    match = _NUMBERED_NAME.match(relpath.stem)
    if match:
        disc = int(match.group(1)) if match.group(1) else None
        track, title = int(match.group(2)), match.group(3).strip()
    return TagInfo(
        title=title or relpath.stem,
        album=album,
        artists=(artist,),
        album_artist=artist,
        track_number=track,
        disc_number=disc,
        year=None,
        duration=0.0,
    )
