"""A Jellyfin app's side of "Play On", for tests that cast like a person would.

What jellyfin-web's session player does (src/plugins/sessionPlayer/plugin.js): log in as a device of
its own, list `GET /Sessions?controllableByUserId=<user>`, pick a target by its name, then
`POST /Sessions/{id}/Playing?playCommand=...&itemIds=...`, `/Playing/{command}`, `/Command`,
`/Message`. Blocking (urllib), so a test can drive a fake served from another thread; run it with
`asyncio.to_thread` from async code.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from tests.polling import until_sync

TICKS = 10_000_000


class AppError(RuntimeError):
    """The server refused a call (status and text kept)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}: {text}")
        self.status = status


class JellyfinApp:
    """One logged-in app (its own DeviceId, so its own session on the server)."""

    def __init__(self, url: str, device_id: str = "jellyfin-web-test-device") -> None:
        self.url = url.rstrip("/")
        self.device_id = device_id
        self.token = ""
        self.user_id = ""

    def _auth(self) -> str:
        header = (
            f'MediaBrowser Client="Jellyfin%20Web", Device="Firefox", '
            f'DeviceId="{self.device_id}", Version="10.11.0"'
        )
        return header + (f', Token="{self.token}"' if self.token else "")

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        params = {k: v for k, v in query.items() if v is not None}
        url = self.url + path + ("?" + urlencode(params) if params else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": self._auth(), "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as res:
                raw = res.read()
        except urllib.error.HTTPError as err:
            raise AppError(err.code, err.read().decode("utf-8", "replace")) from err
        return json.loads(raw) if raw else None

    def login(self, username: str, password: str) -> JellyfinApp:
        answer = self.call(
            "POST", "/Users/AuthenticateByName", {"Username": username, "Pw": password}
        )
        self.token, self.user_id = answer["AccessToken"], answer["User"]["Id"]
        return self

    # --- finding the target -------------------------------------------------------------------

    def targets(self) -> list[dict[str, Any]]:
        """The sessions the "Play On" menu offers."""
        found: list[dict[str, Any]] = self.call(
            "GET", "/Sessions", controllableByUserId=self.user_id
        )
        return found

    def target(self, name: str) -> dict[str, Any] | None:
        return next((s for s in self.targets() if s.get("DeviceName") == name), None)

    def wait_for_target(self, name: str, timeout: float = 15.0) -> dict[str, Any]:
        """Poll the menu until `name` is in it (AssertionError after `timeout` seconds)."""
        return until_sync(
            lambda: self.target(name), timeout=timeout, what=f"{name!r} never became a cast target"
        )

    # --- casting --------------------------------------------------------------------------------

    def play(
        self,
        session_id: str,
        item_ids: Sequence[str],
        command: str = "PlayNow",
        *,
        start_index: int | None = None,
        start_seconds: float | None = None,
    ) -> None:
        ticks = None if start_seconds is None else round(start_seconds * TICKS)
        self.call(
            "POST", f"/Sessions/{session_id}/Playing", playCommand=command,
            itemIds=",".join(item_ids), startIndex=start_index, startPositionTicks=ticks,
        )  # fmt: skip

    def playstate(
        self, session_id: str, command: str, *, seek_seconds: float | None = None
    ) -> None:
        ticks = None if seek_seconds is None else round(seek_seconds * TICKS)
        self.call("POST", f"/Sessions/{session_id}/Playing/{command}", seekPositionTicks=ticks)

    def command(self, session_id: str, name: str, **arguments: Any) -> None:
        body = {"Name": name, "Arguments": {k: str(v) for k, v in arguments.items()}}
        self.call("POST", f"/Sessions/{session_id}/Command", body)

    def message(self, session_id: str, header: str, text: str) -> None:
        self.call("POST", f"/Sessions/{session_id}/Message", {"Header": header, "Text": text})
