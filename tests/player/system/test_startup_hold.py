"""What a start holds until READY (player/system/startup.py) is given back, however it ends."""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path

from player.cli.main import main
from player.system import codecache, startup


def test_begin_holds_the_collector_and_up_gives_it_back() -> None:
    try:
        startup.begin()
        assert not gc.isenabled()
        assert "exec" in vars(dataclasses)  # classes made now compile through the cache
    finally:
        startup.up()
    assert gc.isenabled()
    assert "exec" not in vars(dataclasses) and codecache._active is None


def test_a_start_that_fails_before_ready_gives_it_back(tmp_path: Path) -> None:
    config = tmp_path / "tapedeck.toml"
    config.write_text("[server]\nport = 'not a port'\n", encoding="utf-8")
    assert main(["serve", "--config", str(config)]) == 2  # the config's mistake, reported
    assert gc.isenabled()
    assert "exec" not in vars(dataclasses)
