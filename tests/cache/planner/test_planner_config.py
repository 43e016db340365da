"""CacheConfig: defaults, JSON, validation with field names."""

from __future__ import annotations

import pytest

from cache.planner import CacheConfig, ConfigError, PolicyName


def test_defaults_follow_the_design() -> None:
    c = CacheConfig()
    assert (c.queue_precache_count, c.album_affinity_threshold) == (5, 3)
    assert c.storage_limit == 10_000_000_000 and c.wifi_only and c.policy is PolicyName.SMART


def test_to_json_lists_every_api_field_with_plain_values() -> None:
    body = CacheConfig().to_json()
    for key in (
        "queue_precache_enabled",
        "queue_precache_count",
        "album_affinity_enabled",
        "album_affinity_threshold",
        "storage_limit",
        "min_free_bytes",
        "wifi_only",
    ):
        assert key in body
    assert body["policy"] == "smart"
    assert CacheConfig.from_mapping(body) == CacheConfig()


def test_from_mapping_changes_only_the_given_fields_over_a_base() -> None:
    base = CacheConfig(storage_limit=5)
    c = CacheConfig.from_mapping({"wifi_only": False, "policy": "seed"}, base)
    assert (c.wifi_only, c.policy, c.storage_limit) == (False, PolicyName.SEED, 5)


def test_every_bad_field_is_reported_at_once_by_name() -> None:
    with pytest.raises(ConfigError) as info:
        CacheConfig.from_mapping(
            {
                "storage_limit": -1,
                "wifi_only": "yes",
                "policy": "greedy",
                "bogus": 1,
                "queue_precache_count": True,
                "lookahead_minutes_unmetered": 99999,
            }
        )
    errors = {p.path: p.message for p in info.value.problems}
    assert set(errors) == {
        "storage_limit",
        "wifi_only",
        "policy",
        "bogus",
        "queue_precache_count",
        "lookahead_minutes_unmetered",
    }
    assert errors["bogus"] == "unknown field"
    assert "storage_limit" in str(info.value)
    assert info.value.http_status == 422 and info.value.code == "unprocessable"
