"""Jellyfin identity: the `Authorization: MediaBrowser ...` header and what is kept between runs.

The DeviceId is generated once and kept, because logging in again with the same DeviceId revokes the
previous token; a new DeviceId per start would leave a trail of dead sessions on the server. The token is
kept in a file readable only by the service user (0600) and is never logged.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

DEVICE_ID_FILE = "device_id"
SESSION_FILE = "session.json"


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """Who we say we are to the server: the four keys Jellyfin requires before a login."""

    client: str
    device: str
    device_id: str
    version: str


def auth_header(identity: ClientIdentity, token: str | None = None) -> str:
    """The `Authorization` header value; every value URL-encoded as the server URL-decodes it."""
    parts = [
        ("Client", identity.client),
        ("Device", identity.device),
        ("DeviceId", identity.device_id),
        ("Version", identity.version),
    ]
    if token:
        parts.append(("Token", token))
    return "MediaBrowser " + ", ".join(f'{key}="{quote(value, safe="")}"' for key, value in parts)


@dataclass(frozen=True, slots=True)
class SavedSession:
    """A token from an earlier login, valid for one server and user name."""

    server_url: str
    username: str
    user_id: str
    token: str = field(repr=False)


class JellyfinState:
    """The files under `<state_dir>/jellyfin/`: the device id and the saved session."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def device_id(self) -> str:
        """The DeviceId, created (32 hex characters) on first use and kept from then on."""
        path = self._dir / DEVICE_ID_FILE
        try:
            value = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            value = ""
        if value:
            return value
        value = secrets.token_hex(16)
        _write_private(path, value + "\n")
        return value

    def load_session(self, server_url: str, username: str) -> SavedSession | None:
        """The saved session if it belongs to this server and user; a damaged file counts as none."""
        try:
            raw = json.loads((self._dir / SESSION_FILE).read_text(encoding="utf-8"))
            saved = SavedSession(
                server_url=str(raw["server_url"]),
                username=str(raw["username"]),
                user_id=str(raw["user_id"]),
                token=str(raw["token"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if saved.server_url != server_url or saved.username != username or not saved.token:
            return None
        return saved

    def save_session(self, session: SavedSession) -> None:
        """Keep the session for the next start, in a file only the owner can read."""
        body = {
            "server_url": session.server_url,
            "username": session.username,
            "user_id": session.user_id,
            "token": session.token,
        }
        _write_private(self._dir / SESSION_FILE, json.dumps(body))

    def forget_session(self) -> None:
        """Drop the saved token (it was rejected)."""
        (self._dir / SESSION_FILE).unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600 from the first byte (no window where others could read it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is filtered by the umask, and an old tmp may exist
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
