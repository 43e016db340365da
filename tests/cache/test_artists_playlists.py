"""Artists (kept by triggers on albums) and playlists over a real cache.db."""

from __future__ import annotations

from cache.artists import Artists
from cache.catalogue import AlbumRecord, Catalogue, TrackRecord
from cache.models import AlbumId, Availability, ItemId, PlaylistId, SourceKind, Track
from cache.playlists import PlaylistRecord, Playlists
from tests.cache.dbutil import total_changes

LOCAL, JELLYFIN = SourceKind.LOCAL, SourceKind.JELLYFIN


def _album(
    aid: str, title: str, artists: tuple[str, ...], year: int, source: SourceKind = LOCAL
) -> AlbumRecord:
    return AlbumRecord(AlbumId(aid), source, title, artists, year)


def _track(tid: str, a: AlbumRecord, number: int) -> TrackRecord:
    t = Track(
        id=ItemId(tid), title=f"{a.title} {number}", album=a.title, album_id=a.id,
        artists=a.artists, duration=60.0, track_number=number, disc_number=1,
        container="flac", size=10, source=a.source, album_artist=a.artists[0],
    )  # fmt: skip
    local = f"{a.id}/{number}.flac" if a.source is LOCAL else None
    return TrackRecord(t, local_path=local, mtime_ns=1 if local else None)


async def _library(cat: Catalogue) -> None:
    late = _album("a1", "Later", ("Nina Simone",), 1970)
    early = _album("a2", "Earlier", ("nina simone",), 1958, JELLYFIN)
    duo = _album("a3", "Duets", ("Nina Simone", "Bob Dylan"), 1965)
    albums = [late, early, duo]
    await cat.upsert(albums, [_track(f"t{a.id}{n}", a, n) for a in albums for n in (2, 1)])


async def test_artists_come_from_album_names_folded_and_paged(catalogue: Catalogue) -> None:
    await _library(catalogue)
    artists = Artists(catalogue)
    page, total = await artists.page()
    assert total == 2
    assert [(a.name, a.album_count, a.source) for a in page] == [
        ("Bob Dylan", 1, "local"),
        ("Nina Simone", 3, "mixed"),
    ]
    second, _ = await artists.page(offset=1, limit=1)
    assert [a.name for a in second] == ["Nina Simone"]
    nina = await artists.get(page[1].id)
    assert nina is not None and nina.albums is not None
    assert [a.title for a in nina.albums] == ["Earlier", "Duets", "Later"]
    tracks = await artists.tracks(page[1].id)
    assert tracks is not None
    assert [t.id for t in tracks] == ["ta21", "ta22", "ta31", "ta32", "ta11", "ta12"]
    assert [a.name for a in await artists.search("sim")] == ["Nina Simone"]
    assert await artists.get("ar-999") is None and await artists.get("nope") is None


async def test_artists_follow_album_changes_and_removals(catalogue: Catalogue) -> None:
    await _library(catalogue)
    await catalogue.upsert([_album("a3", "Duets", ("Nina Simone",), 1965)], [])
    artists = Artists(catalogue)
    page, _ = await artists.page()
    assert [a.name for a in page] == ["Nina Simone"]
    await catalogue.remove_unseen(LOCAL, [])
    page, _ = await artists.page()
    assert [(a.name, a.album_count, a.source) for a in page] == [("Nina Simone", 1, "jellyfin")]


async def test_playlists_keep_order_and_repeats_and_skip_unknown(catalogue: Catalogue) -> None:
    await _library(catalogue)
    store = Playlists(catalogue)
    ids = ("ta11", "ghost", "ta21", "ta11")
    await store.upsert([PlaylistRecord(PlaylistId("p1"), LOCAL, "mix", tuple(map(ItemId, ids)), 2)])
    page, total = await store.page()
    assert total == 1 and page[0].track_count == 3 and page[0].duration == 180.0
    assert page[0].available_offline is Availability.PARTIAL  # the Jellyfin track is not on disk
    one = await store.get("p1")
    assert one is not None and one.entries is not None and one.skipped == 2
    assert [t.id for t in one.entries] == ["ta11", "ta21", "ta11"]
    assert await store.get("p2") is None


async def test_unchanged_playlists_write_nothing(catalogue: Catalogue) -> None:
    store = Playlists(catalogue)
    record = PlaylistRecord(PlaylistId("p1"), JELLYFIN, "mix", (ItemId("x"), ItemId("y")))
    await store.upsert([record])
    before = await total_changes(catalogue.db)
    await store.upsert([record])
    assert await total_changes(catalogue.db) == before
    assert await store.remove_unseen(JELLYFIN, ["p1"]) == 0
    assert await store.remove_unseen(JELLYFIN, []) == 1


async def test_search_folds_case_and_diacritics_beyond_ascii(catalogue: Catalogue) -> None:
    album = _album("a9", "Debut", ("Björk",), 1993)
    await catalogue.upsert([album], [_track("t91", album, 1)])
    await _library(catalogue)
    artists = Artists(catalogue)
    for query in ("bjork", "BJÖRK", "björ"):
        assert [a.name for a in await artists.search(query)] == ["Björk"], query
    assert [a.name for a in await artists.search("nina")] == ["Nina Simone"]
    assert await artists.search("bjorn") == []
