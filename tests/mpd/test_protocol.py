"""The pure parts: MPD's argument tokenizer, filter expressions, the play clock."""

from __future__ import annotations

import pytest

from cache.models import AlbumId, ItemId, SourceKind, Track
from player.mpd.database import Database
from player.mpd.filters import parse_filter
from player.mpd.idle import PlayClock
from player.mpd.protocol import AckError, split_args
from player.mpd.songs import make_song
from player.playback import playevents as pe
from player.playback.entry import EntryId


def test_split_args_reads_words_quotes_and_escapes() -> None:
    assert split_args('find "(Artist == \\"A B\\")" sort Title') == [
        "find", '(Artist == "A B")', "sort", "Title",
    ]  # fmt: skip
    assert split_args("play   3 ") == ["play", "3"]
    for bad in ('add "open', 'add a"b', 'add "x"y'):
        with pytest.raises(AckError):
            split_args(bad)


def _song(title: str, artist: str, album: str = "Al", year: int | None = 2001) -> object:
    track = Track(ItemId(title), title, album, AlbumId("a"), (artist,), 3.0, 1, 1, "flac", 1,
                  SourceKind.LOCAL, album_artist=artist, year=year)  # fmt: skip
    return make_song(track, f"{artist}/{album}/{title}.flac", None)


SONGS = [_song("Morning", "Alpha"), _song("Noon", "Alpha", year=2004), _song("Bow", "Cello")]


def _titles(args: list[str], fold: bool = False) -> list[str]:
    predicate, used = parse_filter(args, fold=fold)
    assert used == len(args)
    return [s.track.title for s in SONGS if predicate(s)]  # type: ignore[attr-defined]


def test_filter_expressions_and_legacy_pairs() -> None:
    assert _titles(["(Artist == 'Alpha')"]) == ["Morning", "Noon"]
    assert _titles(["(!(Artist == 'Alpha'))"]) == ["Bow"]
    assert _titles(["((Artist == 'Alpha') AND (Date == '2004'))"]) == ["Noon"]
    assert _titles(["(Title contains 'oo')"]) == ["Noon"]
    assert _titles(["(Title =~ '^[MB]')"]) == ["Morning", "Bow"]
    assert _titles(["(Title != 'Bow')"]) == ["Morning", "Noon"]
    assert _titles(["(base 'Cello')"]) == ["Bow"]
    assert _titles(["(file == 'Cello/Al/Bow.flac')"]) == ["Bow"]
    assert _titles(["(artist == 'alpha')"], fold=True) == ["Morning", "Noon"]
    assert _titles(["artist", "Alpha", "title", "Noon"]) == ["Noon"]
    assert _titles(["any", "CELLO"], fold=True) == ["Bow"]
    assert _titles(["title", "MORN"], fold=True) == ["Morning"]


@pytest.mark.parametrize(
    "bad",
    [["(Artist = 'x')"], ["(Nope == 'x')"], ["(Artist == 'x'"], ["((a == 'x') OR (b == 'y'))"],
     ["(Title =~ '[')"], ["artist"], ["(" * 100 + "Artist == 'x'" + ")" * 100]],
)  # fmt: skip
def test_bad_filters_are_acks(bad: list[str]) -> None:
    with pytest.raises(AckError):
        parse_filter(bad, fold=False)


def test_play_clock_counts_only_playing_time() -> None:
    now = [100.0]
    clock = PlayClock(lambda: now[0])
    track = SONGS[0].track  # type: ignore[attr-defined]
    clock.heard(pe.TrackStarted(EntryId("e1"), track, True, 0.0))
    now[0] += 5
    clock.heard(pe.Paused(track, 5.0))
    now[0] += 100
    clock.heard(pe.Resumed(track, 5.0))
    now[0] += 2
    assert clock.seconds == pytest.approx(7.0)
    clock.heard(pe.TrackEnded(track, 7.0, pe.TrackEndReason.STOPPED))
    now[0] += 50
    assert clock.seconds == pytest.approx(7.0)


async def test_the_database_follows_the_catalogue_and_announces_changes() -> None:
    track = SONGS[0].track  # type: ignore[attr-defined]
    rows: list[list[tuple[Track, str | None, int | None]]] = [[]]
    reads: list[int] = []
    changes: list[str] = []

    async def read() -> list[tuple[Track, str | None, int | None]]:
        reads.append(1)
        return rows[0]

    async def fingerprint() -> object:
        return len(rows[0])

    db = Database(read, fingerprint, check_every=0.0, on_change=lambda: changes.append("db"))
    assert (await db.current()).songs == [] and changes == []
    await db.current()
    assert len(reads) == 1  # unchanged fingerprint: the snapshot is kept
    rows[0] = [(track, "Alpha/Al/Morning.flac", None)]
    snap = await db.current()
    assert [s.uri for s in snap.songs] == ["Alpha/Al/Morning.flac"] and changes == ["db"]
    assert snap.resolve("") == snap.songs and snap.resolve("Alpha") == snap.songs
