"""The `jf` fixture (a fake Jellyfin and a session) for every Jellyfin test module."""

from tests.cache.jellyfin.test_jf_client import jf  # noqa: F401 - re-exported as a fixture
