"""The catalogue over a real cache.db: upserts, pruning, paging, ordering, search, offline flags."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from cache.catalogue import AlbumRecord, Catalogue, TrackRecord, fts_query, fts_words
from cache.models import AlbumId, Availability, ItemId, SourceKind, Track

LOCAL, JELLYFIN = SourceKind.LOCAL, SourceKind.JELLYFIN


def album(
    aid: str, title: str, artist: str, source: SourceKind = LOCAL, year: int | None = None
) -> AlbumRecord:
    return AlbumRecord(AlbumId(aid), source, title, (artist,), year)


def track(
    tid: str,
    a: AlbumRecord,
    title: str,
    number: int | None = None,
    disc: int | None = None,
    duration: float = 10.0,
) -> TrackRecord:
    t = Track(
        id=ItemId(tid),
        title=title,
        album=a.title,
        album_id=a.id,
        artists=a.artists,
        duration=duration,
        track_number=number,
        disc_number=disc,
        container="flac",
        size=1000,
        source=a.source,
        album_artist=a.artists[0],
    )
    local = f"{a.title}/{title}.flac" if a.source is LOCAL else None
    return TrackRecord(t, local_path=local, mtime_ns=1 if local else None)


async def add(cat: Catalogue, albums: Sequence[AlbumRecord], tracks: Sequence[TrackRecord]) -> None:
    await cat.upsert(albums, tracks)


async def test_album_tracks_come_in_disc_then_track_then_title_order(catalogue: Catalogue) -> None:
    a = album("a1", "Double", "Band")
    tracks = [
        track("t1", a, "Two-One", 1, 2),
        track("t2", a, "One-Two", 2, 1),
        track("t3", a, "One-One", 1, 1),
        track("t4", a, "Bonus B", None, 2),
        track("t5", a, "Bonus A", None, 2),
        track("t6", a, "No Disc Three", 3, None),
    ]
    await add(catalogue, [a], tracks)
    got = await catalogue.album("a1")
    assert got is not None and got.tracks is not None
    assert [t.title for t in got.tracks] == [
        "One-One",
        "One-Two",
        "No Disc Three",
        "Two-One",
        "Bonus A",
        "Bonus B",
    ]
    assert (got.track_count, got.duration) == (6, 60.0)
    assert got.available_offline is Availability.FULL
    assert await catalogue.album("nope") is None


async def test_albums_page_by_artist_then_title_with_total(catalogue: Catalogue) -> None:
    records = [
        album("a1", "Zebra", "Abba"),
        album("a2", "apple", "Abba"),
        album("a3", "Middle", "beatles"),
        album("a4", "First", "Cure"),
        album("a5", "Empty", "Abba"),
    ]
    await add(catalogue, records, [track(f"t{r.id}", r, "x") for r in records[:4]])
    page, total = await catalogue.albums("", 0, 3)
    assert total == 5
    assert [a.title for a in page] == ["apple", "Empty", "Zebra"]
    rest, _ = await catalogue.albums("", 3, 10)
    assert [a.title for a in rest] == ["Middle", "First"]
    empty = next(a for a in page if a.title == "Empty")
    assert (empty.track_count, empty.duration, empty.available_offline) == (
        0,
        0.0,
        Availability.NONE,
    )
    assert (await catalogue.albums("", 50, 10))[0] == []
    assert len((await catalogue.albums("", -5, -1))[0]) == 0


async def test_albums_filter_by_title_artist_prefix_and_diacritics(catalogue: Catalogue) -> None:
    bjork = album("a1", "Homogenic", "Björk")
    other = album("a2", "Vespertine Remixes", "Someone")
    bare = album("a3", "No Tracks Yet", "Remote", JELLYFIN)
    await add(
        catalogue, [bjork, other, bare], [track("t1", bjork, "Joga"), track("t2", other, "x")]
    )
    assert [a.id for a in (await catalogue.albums("homo"))[0]] == ["a1"]
    assert [a.id for a in (await catalogue.albums("bjork"))[0]] == ["a1"]
    assert [a.id for a in (await catalogue.albums("Björk"))[0]] == ["a1"]
    assert [a.id for a in (await catalogue.albums("tracks yet"))[0]] == ["a3"]
    assert (await catalogue.albums("joga"))[1] == 0  # track titles do not filter albums
    assert (await catalogue.albums("   "))[1] == 3


async def test_search_finds_tracks_and_albums_by_word_prefixes(catalogue: Catalogue) -> None:
    a = album("a1", "Night Drive", "Chromatics")
    b = album("a2", "Kill for Love", "Chromatics")
    await add(
        catalogue,
        [a, b],
        [
            track("t1", a, "Tick of the Clock"),
            track("t2", b, "Into the Black"),
            track("t3", b, "Back from the Grave"),
        ],
    )
    tracks, albums = await catalogue.search("bla")
    assert [t.id for t in tracks] == ["t2"]
    assert albums == []
    tracks, albums = await catalogue.search("chrom night")
    assert [t.id for t in tracks] == ["t1"]
    assert [x.id for x in albums] == ["a1"]
    tracks, albums = await catalogue.search("chromatics")
    assert len(tracks) == 3 and [x.id for x in albums] == ["a2", "a1"]


@pytest.mark.parametrize(
    "q",
    ['"', "AND (", "*", "NEAR(", "a OR", "title:x", "'", "-", "^x", "{a b}", "x AND", "()", "é*"],
)
async def test_search_never_raises_on_fts_syntax(catalogue: Catalogue, q: str) -> None:
    a = album("a1", "And Then", "Or Not")
    await add(catalogue, [a], [track("t1", a, "Near Far")])
    tracks, albums = await catalogue.search(q)
    assert isinstance(tracks, list) and isinstance(albums, list)
    page, total = await catalogue.albums(q)
    assert total == len(page)


def test_fts_query_quotes_every_word() -> None:
    assert fts_words('AND ( "x*" NEAR/2 o\'brien') == ["AND", "x", "NEAR", "2", "o", "brien"]
    assert fts_query(["AND", "x"]) == '"AND"* "x"*'
    assert fts_query(["a"], ("album",)) == '{album} : ("a"*)'


async def test_upsert_updates_rows_and_the_search_index(catalogue: Catalogue) -> None:
    a = album("a1", "Album", "Artist")
    await add(catalogue, [a], [track("t1", a, "Old Name")])
    await add(catalogue, [a], [track("t1", a, "New Name", 4)])
    assert [t.id for t in (await catalogue.search("new"))[0]] == ["t1"]
    assert (await catalogue.search("old"))[0] == []
    got = await catalogue.track("t1")
    assert got is not None and (got.title, got.track_number) == ("New Name", 4)
    assert (await catalogue.albums())[1] == 1


async def test_tracks_keep_the_order_asked_for(catalogue: Catalogue) -> None:
    a = album("a1", "Album", "Artist")
    await add(catalogue, [a], [track(f"t{i}", a, f"T{i}", i) for i in range(1, 5)])
    got = await catalogue.tracks(["t3", "missing", "t1", "t3"])
    assert [t.id for t in got] == ["t3", "t1", "t3"]
    assert await catalogue.tracks([]) == []
    assert await catalogue.track("missing") is None


async def test_tracks_of_one_album_share_what_they_repeat(catalogue: Catalogue) -> None:
    # A 20,000-entry queue holds 20,000 Tracks: the album's strings are held once, not per track.
    a = album("a1", "An Album Title", "An Artist")
    await add(catalogue, [a], [track(f"t{i}", a, f"T{i}", i) for i in range(1, 4)])
    first, *others = await catalogue.tracks(["t1", "t2", "t3"])
    for other in others:
        assert other.album is first.album and other.album_id is first.album_id
        assert other.artists is first.artists and other.album_artist is first.album_artist
        assert other.container is first.container
    assert first.album == "An Album Title" and first.artists == ("An Artist",)


async def test_remove_unseen_touches_only_that_source(catalogue: Catalogue) -> None:
    local = album("l1", "Mine", "Me")
    remote1 = album("j1", "Kept", "Them", JELLYFIN)
    remote2 = album("j2", "Gone", "Them", JELLYFIN)
    await add(
        catalogue,
        [local, remote1, remote2],
        [track("lt", local, "a"), track("j1a", remote1, "b"), track("j2a", remote2, "c")],
    )
    removed = await catalogue.remove_unseen(JELLYFIN, [ItemId("j1a")])
    assert removed == 1
    ids = sorted(a.id for a in (await catalogue.albums())[0])
    assert ids == ["j1", "l1"]
    await catalogue.remove_unseen(JELLYFIN, [ItemId("j1a")], album_ids=[])
    assert sorted(a.id for a in (await catalogue.albums())[0]) == ["l1"]


async def test_remove_tracks_then_prune_albums(catalogue: Catalogue) -> None:
    a = album("a1", "Album", "Artist")
    await add(catalogue, [a], [track("t1", a, "x"), track("t2", a, "y")])
    assert await catalogue.remove_tracks([ItemId("t1"), ItemId("t2"), ItemId("nope")]) == 2
    assert await catalogue.prune_albums(LOCAL) == 1
    assert await catalogue.remove_tracks([]) == 0
    assert (await catalogue.albums())[1] == 0


async def test_local_paths_only_for_local_tracks(catalogue: Catalogue) -> None:
    local, remote = album("l1", "Mine", "Me"), album("j1", "Theirs", "Them", JELLYFIN)
    await add(catalogue, [local, remote], [track("lt", local, "a"), track("jt", remote, "b")])
    assert await catalogue.local_path("lt") == "Mine/a.flac"
    assert await catalogue.local_path("jt") is None
    index = await catalogue.local_index()
    assert index.ids == {"Mine/a.flac": "lt"}
    assert index.stats == {("Mine/a.flac", 1000, 1)}


async def test_offline_flags_from_a_set_or_a_lookup(catalogue: Catalogue) -> None:
    full, part, none = (album(f"j{i}", f"Album {i}", "Them", JELLYFIN) for i in (1, 2, 3))
    await add(
        catalogue,
        [full, part, none],
        [
            track("f1", full, "a", 1),
            track("f2", full, "b", 2),
            track("p1", part, "c", 1),
            track("p2", part, "d", 2),
            track("n1", none, "e", 1),
        ],
    )
    assert {a.available_offline for a in (await catalogue.albums())[0]} == {Availability.NONE}
    catalogue.set_offline_ids({ItemId("f1"), ItemId("f2"), ItemId("p2")})
    by_id = {a.id: a.available_offline for a in (await catalogue.albums())[0]}
    assert by_id == {"j1": Availability.FULL, "j2": Availability.PARTIAL, "j3": Availability.NONE}
    part_album = await catalogue.album("j2")
    assert part_album is not None and part_album.tracks is not None
    assert [t.available_offline for t in part_album.tracks] == [False, True]
    assert part_album.available_offline is Availability.PARTIAL

    asked: list[list[ItemId]] = []

    async def lookup(ids: Sequence[ItemId]) -> set[ItemId]:
        asked.append(list(ids))
        return {i for i in ids if i.startswith("n")}

    catalogue.set_offline_ids(lookup)
    got = await catalogue.track("n1")
    assert got is not None and got.available_offline
    assert asked == [["n1"]]
