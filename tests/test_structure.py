"""The house's shape, checked: cache/ is a library that never imports player/ (in a fresh
interpreter, importing every cache module), no module of player/ or cache/ passes 350 lines, and a
broad `except Exception` appears only where the house contains bugs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 350


def modules(package: str) -> list[str]:
    base = ROOT / package
    names = []
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if rel.name != "__main__":
            names.append(".".join(parts))
    return names


def test_importing_all_of_cache_never_imports_player() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {modules('cache')!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'player' or m.startswith('player.'))\n"
        "print(','.join(leaked))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"cache/ imported {done.stdout.strip()}"


def test_no_module_passes_the_size_limit() -> None:
    too_long = {
        str(path.relative_to(ROOT)): n
        for package in ("player", "cache")
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not too_long, f"modules over {LIMIT} lines: {too_long}"


# The places a broad `except Exception` belongs (architecture: contain bugs in one mechanism).
BROAD_EXCEPT_ALLOWED = {
    "cache/contain.py": "the one containment mechanism: listeners and loop rounds",
    "player/web/middleware.py": "the web middleware: a handler's bug is a 500 with the error object",
    "player/playback/controller.py": "the command inbox loop",
    "player/jfremote/room.py": "the Jellyfin remote-control inbox loop",
    "cache/local/tags.py": "mutagen meets arbitrary bytes and raises more than MutagenError",
}


def test_broad_excepts_live_only_where_the_house_puts_them() -> None:
    found = {
        str(path.relative_to(ROOT))
        for package in ("player", "cache")
        for path in (ROOT / package).rglob("*.py")
        if any(
            line.strip().startswith("except Exception")
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    }
    assert found <= set(BROAD_EXCEPT_ALLOWED), sorted(found - set(BROAD_EXCEPT_ALLOWED))
