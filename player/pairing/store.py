"""The pairing files in the state directory: paired tokens (hashed) and the device-local admin key.

Both files are mode 0600, written atomically (temporary file, fsync, rename, fsync the directory) so a
power cut leaves the old file or the new one, never half of either.

Tokens are stored as SHA-256 digests: the file alone never lets anyone act as a paired client. A
plain hash (no salt, no slow KDF) is enough because a token is 256 random bits, not a password.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TOKENS_FILE = "pairing-tokens.json"
LOCAL_KEY_FILE = "pairing.key"
LOCAL_KEY_HEADER = "X-Tapedeck-Local-Key"


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with `text`, readable and writable by its owner only."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode does not apply to a leftover temporary file
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PairedDevice:
    """One paired client: its name, its token's digest, when it was paired (ISO-8601 UTC)."""

    name: str
    token_sha256: str
    created_at: str

    def public(self) -> dict[str, str]:
        """What the API may show: never the digest."""
        return {"name": self.name, "created_at": self.created_at}


class TokenStore:
    """The paired clients, kept in memory for the per-request check and on disk for restarts.

    `add` and `revoke` write the file and block: the service calls them from a worker thread, so a
    lock guards the list; `verify` runs on the loop and reads an immutable snapshot.
    """

    def __init__(self, path: Path, devices: tuple[PairedDevice, ...] = ()) -> None:
        self.path = path
        self._devices = devices
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path) -> TokenStore:
        """Read the file; a missing file is no paired clients, a damaged one too (fail closed)."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            devices = tuple(PairedDevice(**d) for d in raw["devices"])
        except FileNotFoundError:
            devices = ()
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.warning("ignoring the unreadable pairing file %s (%s): pair again", path, err)
            devices = ()
        return cls(path, devices)

    def devices(self) -> tuple[PairedDevice, ...]:
        return self._devices

    def add(self, name: str) -> str:
        """Mint a token for `name`, persist its digest, and return the token (the only copy)."""
        token = mint_secret()
        created = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        device = PairedDevice(name, token_digest(token), created)
        with self._lock:
            self._save((*self._devices, device))
        return token

    def revoke(self, name: str) -> int:
        """Drop every token paired under `name`; how many there were."""
        with self._lock:
            kept = tuple(d for d in self._devices if d.name != name)
            removed = len(self._devices) - len(kept)
            if removed:
                self._save(kept)
        return removed

    def verify(self, token: str) -> PairedDevice | None:
        """The device `token` belongs to. Every digest is compared, in constant time."""
        digest = token_digest(token).encode()
        found = None
        for device in self._devices:
            if secrets.compare_digest(digest, device.token_sha256.encode()):
                found = device
        return found

    def _save(self, devices: tuple[PairedDevice, ...]) -> None:
        body: dict[str, Any] = {"version": 1, "devices": [asdict(d) for d in devices]}
        write_private(self.path, json.dumps(body, indent=1) + "\n")
        self._devices = devices  # only once the file holds it


def mint_secret() -> str:
    """32 random bytes, URL-safe, never starting with '-'.

    A person pastes a token after `--token`; one that began with '-' would be read by the command
    line as another option (one token in 64 did, and failed `tapedeck status --token ...`).
    """
    while (secret := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return secret


def create_local_key(state_dir: Path) -> str:
    """A fresh local admin key for this run of the service, written where only its user can read."""
    key = mint_secret()
    state_dir.mkdir(parents=True, exist_ok=True)
    write_private(state_dir / LOCAL_KEY_FILE, key + "\n")
    return key


def remove_local_key(state_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (state_dir / LOCAL_KEY_FILE).unlink()


def read_local_key(state_dir: Path) -> str:
    """The running service's local key (OSError when absent or unreadable, e.g. not root)."""
    return (state_dir / LOCAL_KEY_FILE).read_text(encoding="utf-8").strip()
