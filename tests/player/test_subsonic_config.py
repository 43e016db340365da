"""The `[subsonic]` table: checks at load, secrets read from 0600 files only."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.config import ConfigError, parse_config
from player.media.subsonic import subsonic_config

URL = "http://navidrome.lan:4533"


def test_password_file_is_read_when_it_is_0600(tmp_path: Path) -> None:
    secret = tmp_path / "subsonic.pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o600)
    config = parse_config(
        {"subsonic": {"url": URL, "username": "k", "password_file": str(secret)}}, {}
    )
    made = subsonic_config(config.subsonic)
    assert made is not None and made.password == "s3cret" and made.username == "k"
    assert "s3cret" not in repr(config)


def test_open_secret_files_and_missing_logins_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("k3y")
    secret.chmod(0o644)
    with pytest.raises(ConfigError) as caught:
        parse_config({"subsonic": {"url": URL, "api_key_file": str(secret)}}, {})
    assert "subsonic.api_key_file" in str(caught.value) and "chmod 600" in str(caught.value)
    with pytest.raises(ConfigError, match=r"subsonic\.username"):
        parse_config({"subsonic": {"url": URL}}, {})
    with pytest.raises(ConfigError, match=r"subsonic\.url"):
        parse_config({"subsonic": {"url": "navidrome.lan", "api_key": "x"}}, {})
    assert subsonic_config(parse_config({}, {}).subsonic) is None
