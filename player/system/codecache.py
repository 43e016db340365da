"""The code `@dataclass` writes at every start, compiled once and kept beside the bytecode.

`dataclasses` writes the source of every class's `__init__`, `__repr__`, `__eq__`, `__setattr__`
... and compiles it when the class is made: ~900 small functions before the service is READY,
a third of the instructions it took to get there (callgrind: 1,605 M before this cache,
~1,100 M with it; CPU 0.38 -> 0.34 s here). What is compiled depends only on that text, so the
compiled code is kept in one file keyed by the text's digest: a changed class misses (its text
is new) and is compiled as before; nothing stale can be used. (attrs, which aiohttp uses, is
left alone: the text of its frozen classes' `__hash__` holds a string hash, new every process.)

The file sits with player's bytecode and follows its rule: read wherever it is, written only
where Python writes bytecode (not under the unit's PYTHONDONTWRITEBYTECODE, whose venv is read
only: the image build writes it, `python -m player.system.codecache`, as pip compiles the .pyc
files). It is trusted as the .pyc files beside it are. The table (~0.7 MB) is dropped once the
service is up: it is needed only while the classes are made.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import importlib.util
import logging
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

log = logging.getLogger(__name__)
MAGIC = importlib.util.MAGIC_NUMBER  # marshal's format changes with the bytecode's
KEEP_UNUSED = 4  # rewrite with only this process's entries when the file holds 4x more


class CodeCache:
    """Compiled code by its source text's digest, loaded from `path` (None: in memory only).

    Each entry stays marshalled until a class asks for it: loading the whole table as code
    objects, then dropping what the classes do not keep (the source texts, the wrappers that
    make each method), left holes in 1.5 MiB of the interpreter's arenas for good."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: dict[bytes, bytes] = read_table(path) if path is not None else {}
        self._used: set[bytes] = set()
        self.missed = 0

    def compile(self, source: str) -> CodeType:
        key = hashlib.blake2b(source.encode(), digest_size=16).digest()
        self._used.add(key)
        blob = self._known.get(key)
        if blob is not None:
            try:
                found = marshal.loads(blob)
            except (EOFError, ValueError, TypeError):  # a damaged entry: compiled afresh
                found = None
            if isinstance(found, CodeType):
                return found
        # dont_inherit: this module's `from __future__ import annotations` must not turn the
        # generated annotations into strings; exec(str) in dataclasses compiles without it.
        code = compile(source, "<string>", "exec", dont_inherit=True)
        self._known[key] = marshal.dumps(code)
        self.missed += 1
        return code

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
        """What `dataclasses` calls for `exec`, with the same meaning."""
        if isinstance(source, str):
            source = self.compile(source)
        # exec(source, None, ns) in dataclasses means its own globals, not this frame's
        builtins.exec(source, vars(dataclasses) if globals is None else globals, locals)

    def save(self) -> bool:
        """Write the table when something was compiled afresh and bytecode may be written."""
        if self.path is None or not self.missed or sys.dont_write_bytecode:
            return False
        table = self._known
        if len(table) > KEEP_UNUSED * len(self._used):  # old classes' texts piled up
            table = {key: table[key] for key in self._used}
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(MAGIC + marshal.dumps(table))
            partial.replace(self.path)
        except OSError as err:
            log.debug("dataclass code not kept in %s: %s", self.path, err)
            partial.unlink(missing_ok=True)
            return False
        self.missed = 0
        return True


def read_table(path: Path) -> dict[bytes, bytes]:
    """The table in `path`; empty when it is missing, of another Python, or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if not data.startswith(MAGIC):
        return {}
    try:
        table = marshal.loads(data[len(MAGIC) :])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(k, bytes) and isinstance(v, bytes)}


def default_path() -> Path | None:
    """Beside player's own bytecode (honours PYTHONPYCACHEPREFIX); None without bytecode."""
    package = Path(__file__).resolve().parents[1] / "__init__.py"
    try:
        pyc = Path(importlib.util.cache_from_source(str(package)))
    except NotImplementedError:  # an interpreter without bytecode files (no cache_tag)
        return None
    return pyc.parent / f"dataclasses.{sys.implementation.cache_tag}.bin"


_active: CodeCache | None = None


def install(path: Path | None = None) -> CodeCache:
    """Make `dataclasses` compile through the cache, from now until `finish()`."""
    global _active
    if _active is None:
        _active = CodeCache(path if path is not None else default_path())
        setattr(dataclasses, "exec", _active.exec)  # noqa: B010 (a module global, looked up by name)
    return _active


def finish() -> None:
    """After start-up: keep what was compiled afresh, then drop the table and the hook."""
    global _active
    if _active is None:
        return
    _active.save()
    if vars(dataclasses).get("exec") == _active.exec:
        delattr(dataclasses, "exec")
    _active = None


def warm() -> None:
    """Import what the service imports before READY, then write the table (the image build)."""
    install()
    import player.cli.main
    import player.service  # noqa: F401

    finish()


if __name__ == "__main__":
    from player.system import codecache as this  # the module the service uses, not __main__

    this.warm()
