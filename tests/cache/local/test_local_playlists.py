""".m3u/.m3u8 files in the music folder: entries inside the folder only, bad lines counted."""

from __future__ import annotations

from pathlib import Path

from cache.catalogue import Catalogue
from cache.local.ids import playlist_id
from cache.local.scanner import Scanner
from cache.playlists import Playlists
from tests.cache.dbutil import total_changes
from tests.cache.local.conftest import write_wav


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    music, outside = tmp_path / "music", tmp_path / "elsewhere"
    for name in ("01 one.wav", "02 two.wav", "03 three.wav"):
        write_wav(music / "Artist" / "Album" / name, 0.2, {"TIT2": name[3:-4], "TALB": "Album"})
    write_wav(outside / "secret.wav", 0.2)
    (music / "Artist" / "link.wav").symlink_to(outside / "secret.wav")
    return music, outside


async def test_m3u_entries_resolve_inside_the_folder_only(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    music, outside = _folder(tmp_path)
    (music / "lists").mkdir()
    (music / "lists" / "mix.m3u8").write_text(
        "#EXTM3U\n#PLAYLIST:Kitchen mix\n#EXTINF:1,three\n"
        "../Artist/Album/03 three.wav\n"
        f"{music}/Artist/Album/01 one.wav\n"
        "file://" + str(music / "Artist" / "Album" / "02%20two.wav").replace(" ", "%20") + "\n"
        "..\\Artist\\Album\\01 one.wav\n"
        f"{outside}/secret.wav\n"  # outside the folder
        "../../elsewhere/secret.wav\n"  # climbs out
        "../Artist/link.wav\n"  # a link inside that points outside
        "http://radio.example/stream.mp3\n"
        "C:\\Music\\x.mp3\n"
        "../Artist/Album/cover.jpg\n"
        "\n",
        encoding="utf-8",
    )
    summary = await Scanner(catalogue, music, workers=0).scan()
    assert summary.playlists == 1
    store = Playlists(catalogue)
    found = await store.get(playlist_id("lists/mix.m3u8"))
    assert found is not None and found.entries is not None
    assert found.name == "Kitchen mix" and found.skipped == 6
    assert [t.title for t in found.entries] == ["three", "one", "two", "one"]
    assert found.available_offline.value == "full"


async def test_latin1_m3u_and_unchanged_rescan_writes_nothing(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    music, _ = _folder(tmp_path)
    (music / "Café.m3u").write_bytes("Artist/Album/02 two.wav\r\n# é\r\n".encode("latin-1"))
    scanner = Scanner(catalogue, music, workers=0)
    await scanner.scan()
    page, total = await Playlists(catalogue).page()
    assert total == 1 and page[0].name == "Café" and page[0].track_count == 1
    before = await total_changes(catalogue.db)
    await scanner.scan()
    assert await total_changes(catalogue.db) == before
    (music / "Café.m3u").unlink()
    await scanner.scan()
    assert (await Playlists(catalogue).page())[1] == 0
