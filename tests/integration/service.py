"""The real tapedeck service as a subprocess, for tests that drive it from outside (browser, CLI).

    service = ServiceProcess(tmp_path / "svc")          # music in <root>/music, empty: the demo library
    service.start()                                      # writes tapedeck.toml, waits for /api/v1/health
    status, body = service.request("POST", "/api/v1/queue", {"album_id": "...", "mode": "replace"})
    service.restart()                                    # SIGTERM, then the same port, config and dirs
    service.stop()

`extra` adds or overrides config tables (`{"jellyfin": {"url": ...}, "cache": {"wifi_only": False}}`).
The process writes its log to `<root>/service.log`; a failed start raises with the log's tail. Use it
as a context manager, or from a fixture that calls `stop()` (it kills what SIGTERM did not end).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from tests.polling import until_sync

REPO_ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


class ServiceError(RuntimeError):
    """The service did not start, or did not stop, as asked."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the service binds it with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value))  # JSON string escapes are valid TOML basic strings
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def to_toml(tables: Mapping[str, Mapping[str, Any]]) -> str:
    """A TOML document of one level of tables holding scalars and lists (all the config needs)."""
    lines: list[str] = []
    for table, keys in tables.items():
        lines.append(f"[{table}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in keys.items())
        lines.append("")
    return "\n".join(lines)


class ServiceProcess:
    """One tapedeck service process with its own config, state, cache and music folders."""

    def __init__(
        self,
        root: Path,
        *,
        music_dir: Path | None = None,
        port: int | None = None,
        extra: Mapping[str, Mapping[str, Any]] | None = None,
        python: str = sys.executable,
        module: str = "player",
        env: Mapping[str, str] | None = None,
        start_timeout: float = 30.0,
        launcher: tuple[str, ...] = (),
    ) -> None:
        self.root = root
        self.music_dir = music_dir or root / "music"
        self.state_dir = root / "state"
        self.cache_dir = root / "cache"
        self.config_path = root / "tapedeck.toml"
        self.log_path = root / "service.log"
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.extra = dict(extra or {})
        self.python = python
        self.module = module  # a test may run the service through a wrapper module
        self.env = dict(env or {})
        self.start_timeout = start_timeout
        self.launcher = launcher  # e.g. ("prlimit", "--nofile=1024:1024") runs it under a limit
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    # -- configuration ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def config(self) -> dict[str, dict[str, Any]]:
        """The config tables written to `tapedeck.toml`: test defaults, then `extra` on top."""
        tables: dict[str, dict[str, Any]] = {
            "server": {"host": self.host, "port": self.port, "name": "Test Deck"},
            "paths": {"state_dir": self.state_dir, "cache_dir": self.cache_dir},
            "library": {"music_dir": self.music_dir},
            "audio": {"output": "null"},
            "zeroconf": {"enabled": False},
            "mpd": {"enabled": False},  # tests that speak MPD enable it on a free port
        }
        for table, keys in self.extra.items():
            tables.setdefault(table, {}).update(keys)
        return tables

    def write_config(self) -> Path:
        for folder in (self.root, self.music_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(to_toml(self.config()), encoding="utf-8")
        return self.config_path

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> ServiceProcess:
        """Start the process and return once `/api/v1/health` answers (raises ServiceError)."""
        if self.running:
            raise ServiceError("the service is already running")
        self.write_config()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TAPEDECK_LOG": "INFO", **self.env}
        env.pop("NOTIFY_SOCKET", None)  # never talk to a real systemd from a test
        with self.log_path.open("ab") as log:
            log.write(f"--- start #{self.starts + 1} ---\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [*self.launcher, self.python, "-m", self.module, "--config", str(self.config_path)],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal is for pytest, not for it
            )
        self.starts += 1
        try:
            self.wait_healthy(self.start_timeout)
        except ServiceError:
            self.kill()
            raise
        return self

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise ServiceError(
                    f"the service exited ({code}) while starting:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError, ServiceError):
                if self.request("GET", "/api/v1/health", timeout=1.0)[0] == 200:
                    return
            time.sleep(0.1)
        raise ServiceError(f"no answer from /api/v1/health within {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM and wait; SIGKILL if it does not end in `timeout`. Returns the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def kill(self) -> int | None:
        """SIGKILL: a power cut, as far as the service's files can tell."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10.0)
        return self.process.returncode

    def restart(self, *, hard: bool = False) -> ServiceProcess:
        """Stop (SIGTERM, or SIGKILL when `hard`) and start again on the same port and folders."""
        if hard:
            self.kill()
        else:
            self.stop()
        return self.start()

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- talking to it -------------------------------------------------------------------------
    def request(
        self, method: str, path: str, body: Any = None, *, timeout: float = 10.0
    ) -> tuple[int, Any]:
        """One API call: (status, parsed JSON body or None). HTTP errors are returned, not raised."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base_url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return res.status, _json_or_none(res.read())
        except urllib.error.HTTPError as err:
            return err.code, _json_or_none(err.read())

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Like `request`, for calls that must succeed: returns the body, raises on 4xx/5xx."""
        status, data = self.request(method, "/api/v1" + path, body)
        if status >= 400:
            raise ServiceError(f"{method} {path} answered {status}: {data}")
        return data

    def wait_until(
        self, check: Callable[[], T | None], timeout: float = 10.0, step: float = 0.1
    ) -> T:
        """Call `check` until it returns something truthy (returned); ServiceError on timeout."""
        try:
            return until_sync(check, timeout=timeout, step=step)
        except AssertionError:
            raise ServiceError(
                f"condition not met within {timeout} s:\n{self.log_tail()}"
            ) from None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def run_once(service: ServiceProcess, *, write: bool = True) -> subprocess.CompletedProcess[str]:
    """`python -m player` on the service's config (written first unless `write` is False), for a
    start that must end by itself: its exit status and output (bounded in time)."""
    if write:
        service.write_config()
    return subprocess.run(
        [service.python, "-m", "player", "--config", str(service.config_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
