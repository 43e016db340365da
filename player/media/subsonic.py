"""The `[subsonic]` config table (its own frozen section with its checks, see player.confload) and
its translation into cache/'s SubsonicConfig."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from cache.errors import ConfigProblem
from cache.subsonic.auth import SubsonicConfig
from player.config_sections import failed, url_problem


@dataclass(frozen=True, slots=True)
class SubsonicSection:
    url: str = ""  # empty: no Subsonic server
    username: str = ""
    password: str = field(default="", repr=False)  # never in a log line
    password_file: str = ""  # keeps the secret out of the config file (mode 0600)
    api_key: str = field(default="", repr=False)  # OpenSubsonic apiKey: then no username needed
    api_key_file: str = ""

    def problems(self) -> list[ConfigProblem]:
        if not self.url:
            return []
        bad_url = url_problem(self.url)
        has_key = bool(self.api_key or self.api_key_file)
        has_login = bool(self.username and (self.password or self.password_file))
        return failed([
            (bad_url is None, "url", bad_url or ""),
            (has_key or has_login, "username",
             "expected a username with password or password_file, or an api_key"),
        ])  # fmt: skip

    def secret_files(self) -> dict[str, str]:
        """The secret files to read at load, by key (relative to the table)."""
        files = {"password_file": self.password_file, "api_key_file": self.api_key_file}
        return {key: path for key, path in files.items() if self.url and path}


def open_to_others(path: str) -> bool:
    """A secret file others may read or write (it must be 0600); False when it cannot be seen."""
    try:
        return bool(Path(path).stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False  # reading it reports the reason


def subsonic_config(section: SubsonicSection) -> SubsonicConfig | None:
    """cache/'s view of the table (secrets already read from their files); None without `url`."""
    if not section.url:
        return None
    return SubsonicConfig(section.url, section.username, section.password, section.api_key)
