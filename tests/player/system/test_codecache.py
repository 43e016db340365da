"""The dataclass code cache: classes made through it are the classes dataclasses makes, the table
is kept beside the bytecode only where bytecode may be written, and a start reads it back whole."""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from player.system import codecache
from player.system.codecache import MAGIC, CodeCache, read_table

REPO = Path(__file__).resolve().parents[3]


def _make(cache: CodeCache, monkeypatch: pytest.MonkeyPatch) -> type:
    monkeypatch.setattr(dataclasses, "exec", cache.exec, raising=False)

    @dataclasses.dataclass(frozen=True, slots=True, order=True)
    class Point:
        x: int
        y: int = 2
        tags: list[str] = dataclasses.field(default_factory=list)

    monkeypatch.delattr(dataclasses, "exec")
    return Point


def test_a_class_made_through_the_cache_behaves_as_dataclasses_makes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = CodeCache(None)
    first = _make(cache, monkeypatch)
    assert cache.missed > 3  # __init__, __repr__, __eq__, the order, __setattr__ ...
    compiled = cache.missed
    again = _make(cache, monkeypatch)  # the same texts: nothing compiled
    assert cache.missed == compiled
    for point in (first, again):
        p = point(1)
        assert (p.x, p.y, p.tags) == (1, 2, [])
        assert repr(p).endswith("Point(x=1, y=2, tags=[])")
        assert p == point(1) and p < point(2)
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.x = 3  # type: ignore[misc]
        assert not hasattr(p, "__dict__")


def test_the_code_is_compiled_without_the_caches_own_future_flags() -> None:
    # codecache.py has `from __future__ import annotations`; exec(str) in dataclasses has not
    namespace: dict[str, object] = {}
    CodeCache(None).exec("def f(a: int) -> None: pass", {}, namespace)
    assert namespace["f"].__annotations__["a"] is int  # type: ignore[attr-defined]


def test_the_table_is_kept_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pycache" / "dataclasses.bin"
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    writer = CodeCache(path)
    _make(writer, monkeypatch)
    assert writer.save() is True
    assert writer.save() is False  # nothing new since
    reader = CodeCache(path)
    _make(reader, monkeypatch)
    assert reader.missed == 0
    assert reader.save() is False  # a start that compiled nothing writes nothing


def test_nothing_is_written_where_bytecode_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache = CodeCache(tmp_path / "dataclasses.bin")
    _make(cache, monkeypatch)
    assert cache.save() is False
    assert not (tmp_path / "dataclasses.bin").exists()


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02\x03junk", MAGIC + b"\xff\x00", MAGIC[:2] + b"xx" + b"{}"]
)
def test_a_damaged_or_foreign_table_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "dataclasses.bin"
    path.write_bytes(content)
    assert read_table(path) == {}
    assert read_table(tmp_path / "missing.bin") == {}


def test_finish_hands_dataclasses_back() -> None:
    if codecache._active is None:
        codecache.install(Path("/nonexistent/dataclasses.bin"))
    codecache.finish()
    assert "exec" not in vars(dataclasses)
    assert codecache._active is None


def test_the_image_builds_table_covers_the_whole_start(tmp_path: Path) -> None:
    # what image/hooks/customize.sh runs after pip install, then a start's imports: no compile
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path / "pyc")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    run = [sys.executable, "-m", "player.system.codecache"]
    subprocess.run(run, cwd=REPO, env=env, check=True, timeout=120)
    script = (
        "from player.system import codecache\n"
        "cache = codecache.install()\n"
        "import player.cli.main, player.service\n"
        "print(cache.missed, cache.path.exists())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, check=True, timeout=120,
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.stdout.split() == ["0", "True"]


def test_a_damaged_entry_is_compiled_afresh(tmp_path: Path) -> None:
    source = "def f() -> int: return 7"
    key = hashlib.blake2b(source.encode(), digest_size=16).digest()
    path = tmp_path / "dataclasses.bin"
    path.write_bytes(MAGIC + marshal.dumps({key: b"\xff not marshal"}))
    cache = CodeCache(path)
    namespace: dict[str, Any] = {}
    cache.exec(source, {}, namespace)
    assert namespace["f"]() == 7 and cache.missed == 1
