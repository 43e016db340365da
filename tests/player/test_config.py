from pathlib import Path

import pytest

from cache.planner import CacheConfig
from player.config import config_path_from, load_config, parse_config
from player.confload import ConfigError

ENV = {"HOME": "/home/pi"}


def test_defaults_need_no_file() -> None:
    config = load_config(None, ENV)
    assert config.server.port == 8080
    assert config.state_dir == Path("/home/pi/.local/state/tapedeck")
    assert config.cache_dir == Path("/home/pi/.cache/tapedeck")
    assert config.music_dir == Path("/home/pi/.local/state/tapedeck/music")


def test_systemd_directories_win() -> None:
    config = load_config(
        None, {"STATE_DIRECTORY": "/var/lib/tapedeck", "CACHE_DIRECTORY": "/var/cache/tapedeck"}
    )
    assert config.state_dir == Path("/var/lib/tapedeck")
    assert config.cache_dir == Path("/var/cache/tapedeck")


def test_every_error_is_reported_at_once_with_its_path() -> None:
    data = {
        "server": {"port": "eighty", "nmae": "Kitchen"},
        "audio": {"replaygain": "loud"},
        "zeroconf": {"interfaces": ["127.0.0.1", 5]},
        "plaeyr": {},
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data, ENV)
    problems = {p.path: p.message for p in caught.value.problems}
    assert problems["server.port"] == "expected an integer, got 'eighty'"
    assert "did you mean 'name'" in problems["server.nmae"]
    assert "'off' | 'track' | 'album'" in problems["audio.replaygain"]
    assert problems["zeroconf.interfaces[1]"] == "expected a string, got 5"
    assert "did you mean 'player'" in problems["plaeyr"]


def test_ranges_are_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"server": {"port": 70000}, "player": {"startup_volume_max": 101}}, ENV)
    assert {p.path for p in caught.value.problems} == {"server.port", "player.startup_volume_max"}


def test_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tapedeck.toml"
    path.write_text('[server]\nname = "Kitchen"\nport = 9000\n[cache]\nwifi_only = false\n')
    config = load_config(path, ENV)
    assert (config.server.name, config.server.port) == ("Kitchen", 9000)
    assert config.cache == CacheConfig(wifi_only=False)


def test_bad_toml_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tapedeck.toml"
    path.write_text("[server\nport = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, ENV)


def test_config_path_order() -> None:
    assert config_path_from("a.toml", {"TAPEDECK_CONFIG": "b.toml"}) == Path("a.toml")
    assert config_path_from(None, {"TAPEDECK_CONFIG": "b.toml"}) == Path("b.toml")
    assert config_path_from(None, {}) is None


def test_cache_and_gpio_tables_are_validated_with_the_rest() -> None:
    data = {"cache": {"wifi_only": "yes", "storage_limt": 1}, "gpio": {"buttons": [{"pin": "x"}]}}
    with pytest.raises(ConfigError) as caught:
        parse_config(data, ENV)
    paths = {p.path for p in caught.value.problems}
    assert {"cache.wifi_only", "cache.storage_limt"} <= paths
    assert any(p.startswith("gpio.buttons[0]") for p in paths)


def test_systemd_configuration_directory(tmp_path: Path) -> None:
    assert config_path_from(None, {"CONFIGURATION_DIRECTORY": str(tmp_path)}) is None
    (tmp_path / "tapedeck.toml").write_text("")
    assert (
        config_path_from(None, {"CONFIGURATION_DIRECTORY": str(tmp_path)})
        == tmp_path / "tapedeck.toml"
    )


def test_downloads_transcode_keys_are_cache_settings_validated_with_them() -> None:
    config = parse_config({"downloads": {"transcode": "opus:128", "concurrency": 3}}, ENV)
    assert config.cache.transcode == "opus:128" and config.downloads.concurrency == 3
    with pytest.raises(ConfigError) as info:
        parse_config({"downloads": {"transcode_auto": "m4a:256"}}, ENV)
    assert "cache.transcode_auto" in str(info.value)
