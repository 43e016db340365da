"""README's example config must stay a config the service accepts."""

import re
import tomllib
from pathlib import Path

from player.config import parse_config

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_config_example_is_valid() -> None:
    match = re.search(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert match is not None
    config = parse_config(tomllib.loads(match.group(1)), {"HOME": "/tmp"})
    assert config.server.name == "Kitchen"
