"""A real supysonic 0.7.9 on 127.0.0.1, from its own venv (`.venv-supysonic`, made by `make test`),
with its own config, database and a music folder of generated, tagged FLAC files.

    server = Supysonic(tmp_path / "supysonic")
    server.add_track("Band", "Album", 1, "Title", seconds=3.0)   # ffmpeg writes a tagged FLAC
    server.setup("kitchen", "secret")                           # supysonic-cli: user, folder, scan
    server.start()          # supysonic-server -S waitress on a free port; waits for ping
    server.stop()           # the port closes: the server is away (start() again on the same port)

Its config (`supysonic.conf` in its folder, read from the working directory, HOME pointed there
too) sends scrobbles to `listenbrainz_url` when given: supysonic keeps no record of a scrobble in
its own database, it only forwards it to Last.fm or ListenBrainz (`api/annotation.py`).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.integration.service import REPO_ROOT, free_port

VENV_NAME = ".venv-supysonic"


def supysonic_bin() -> Path | None:
    """Where supysonic's commands are: $TAPEDECK_SUPYSONIC_VENV, this checkout's venv, or the
    main checkout's (a git worktree shares it)."""
    candidates = [os.environ.get("TAPEDECK_SUPYSONIC_VENV", ""), str(REPO_ROOT / VENV_NAME)]
    common = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--git-common-dir"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    if common:
        candidates.append(str((REPO_ROOT / common).resolve().parent / VENV_NAME))
    for venv in filter(None, candidates):
        if (Path(venv) / "bin" / "supysonic-server").is_file():
            return Path(venv) / "bin"
    return None


@dataclass(frozen=True, slots=True)
class LocalTrack:
    """A file in supysonic's music folder."""

    path: Path
    artist: str
    album: str
    title: str


def write_flac(path: Path, artist: str, album: str, number: int, title: str, seconds: float,
               *, noise: bool = False) -> None:  # fmt: skip
    """A tagged FLAC: a tone (small), or noise (about 170 KB a second, for big files)."""
    source = f"anoisesrc=d={seconds}:a=0.5" if noise else f"sine=frequency=440:duration={seconds}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tags = {"artist": artist, "album_artist": artist, "album": album, "title": title,
            "track": str(number)}  # fmt: skip
    meta = [arg for k, v in tags.items() for arg in ("-metadata", f"{k}={v}")]
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-ac", "2",
         "-ar", "44100", *meta, str(path)],
        check=True,
    )  # fmt: skip


class Supysonic:
    """One supysonic server process with its folder, database and music."""

    def __init__(self, root: Path, *, listenbrainz_url: str | None = None) -> None:
        self.root = root
        self.music = root / "music"
        self.db_path = root / "supysonic.db"
        self.port = free_port()
        self.tracks: list[LocalTrack] = []
        self._listenbrainz = listenbrainz_url
        self._process: subprocess.Popen[bytes] | None = None
        bin_dir = supysonic_bin()
        if bin_dir is None:
            raise RuntimeError(f"supysonic is not installed: run `make {VENV_NAME}`")
        self.bin = bin_dir

    @property
    def pid(self) -> int:
        assert self._process is not None, "start() first"
        return self._process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_track(self, artist: str, album: str, number: int, title: str, *,
                  seconds: float = 2.0, noise: bool = False) -> LocalTrack:  # fmt: skip
        path = self.music / artist / album / f"{number:02d} {title}.flac"
        write_flac(path, artist, album, number, title, seconds, noise=noise)
        track = LocalTrack(path, artist, album, title)
        self.tracks.append(track)
        return track

    def _write_config(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        lines = [
            "[base]", f"database_uri = sqlite:///{self.db_path}",
            "[webapp]", f"cache_dir = {self.root / 'cache'}", "mount_webui = false",
            f"log_file = {self.root / 'webapp.log'}", "log_level = WARNING",
            "[daemon]", f"socket = {self.root / 'daemon.sock'}", "run_watcher = false",
        ]  # fmt: skip
        if self._listenbrainz:
            lines += ["[listenbrainz]", f"api_url = {self._listenbrainz}"]
        (self.root / "supysonic.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.root)}

    def cli(self, *args: str) -> str:
        """`supysonic-cli ARGS` in the server's folder; returns its output."""
        done = subprocess.run(
            [str(self.bin / "supysonic-cli"), *args], cwd=self.root, env=self._env(),
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return done.stdout + done.stderr

    def setup(self, user: str, password: str) -> None:
        """The config, a user, the music folder, and a scan of it."""
        self._write_config()
        self.cli("user", "add", user, "-p", password)
        self.cli("folder", "add", "Music", str(self.music))
        self.cli("folder", "scan", "Music")

    def start(self, timeout: float = 30.0) -> str:
        log = (self.root / "server.log").open("ab")
        self._process = subprocess.Popen(
            [str(self.bin / "supysonic-server"), "-S", "waitress", "--host", "127.0.0.1",
             "--port", str(self.port), "--threads", "4"],
            cwd=self.root, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"supysonic ended: {(self.root / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/rest/ping", timeout=2):
                    return self.url
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("supysonic did not answer in time")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._process = None

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Read supysonic's own database."""
        with sqlite3.connect(self.db_path) as conn:
            return list(conn.execute(sql, params))

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(sql, params)
