from player.web.hosts import HostPolicy, split_host


def policy() -> HostPolicy:
    return HostPolicy(
        ["speaker.lan"], hostname="kitchen", addresses=lambda: {"192.168.1.20", "fe80::1"}
    )


def test_split_host() -> None:
    assert split_host("Kitchen.local:8080") == "kitchen.local"
    assert split_host("[::1]:80") == "::1"
    assert split_host("127.0.0.1") == "127.0.0.1"
    assert split_host("") is None


def test_allowed_hosts() -> None:
    p = policy()
    for host in ["localhost:8080", "127.0.0.1", "[::1]:8080", "kitchen", "kitchen.local:80", "speaker.lan",
                 "192.168.1.20:8080", "[fe80::1]"]:  # fmt: skip
        assert p.allows_host(host), host
    for host in [
        "evil.example",
        "192.168.1.99",
        "kitchen.evil.example",
        None,
        "localhost.evil.example",
    ]:
        assert not p.allows_host(host), host


def test_origin() -> None:
    p = policy()
    assert p.allows_origin("http://kitchen.local:8080")
    assert not p.allows_origin("http://evil.example")
    assert not p.allows_origin("null")
    assert not p.allows_origin("file://")


def test_look_alike_hosts_fail() -> None:
    p = policy()
    for host in ["[::1]evil.example", "[::1]:80evil", "localhost..", "localhost:abc", "localhost:",
                 "localhost:99999", "[::1", "[127.0.0.1]", "local host", "localhost:80:80",
                 "kitchen.local:8080/x", "..", "."]:  # fmt: skip
        assert not p.allows_host(host), host
    assert p.allows_host("localhost.:8080")
    assert split_host("[::1]evil.example") is None
    assert split_host("localhost..") is None


def test_origin_with_user_info_is_not_localhost() -> None:
    p = policy()
    assert not p.allows_origin("http://localhost:80@evil.example")
    assert not p.allows_origin("http://localhost@evil.example")
    assert not p.allows_origin("http://evil.example@localhost")
    assert not p.allows_origin("http://localhost:8080/path")
    assert p.allows_origin("http://localhost:8080")
    assert p.allows_origin("http://[::1]:8080")
