"""The one gate (cache/gate.py): network per origin, the free-space floor for everyone, the
storage limit for automatic copies, bytes reserved for running transfers, concurrency."""

from __future__ import annotations

from cache import gate
from cache.gate import DATABASE_ROOM, Conditions, Transfer
from cache.planner import CacheConfig, DiskState, NetState, NetworkKind, Origin, Wait

MB = 1_000_000
WIFI = NetState(NetworkKind.WIFI)
CELL = NetState(NetworkKind.CELLULAR, metered=True)
ROOMY = DiskState(used_bytes=0, free_bytes=10_000 * MB)
CONFIG = CacheConfig(storage_limit=100 * MB, min_free_bytes=50 * MB, max_concurrent_downloads=2)


def admitted(
    queued: list[Transfer],
    running: tuple[Transfer, ...] = (),
    *,
    disk: DiskState = ROOMY,
    config: CacheConfig = CONFIG,
    slots: int = 8,
) -> list[Transfer]:
    return gate.admit(config, Conditions(WIFI, disk), running, queued, lambda t: t, slots)


def test_the_network_holds_automatic_downloads_and_a_persons_only_by_the_config() -> None:
    on_cell = Conditions(CELL, ROOMY)
    assert gate.wait_reason(CONFIG, on_cell, Origin.AUTO) is Wait.WIFI
    assert gate.wait_reason(CONFIG, on_cell, Origin.USER) is Wait.WIFI
    pins_ok = CacheConfig(pins_on_metered=True)
    assert gate.wait_reason(pins_ok, on_cell, Origin.USER) is None
    assert gate.wait_reason(pins_ok, on_cell, Origin.AUTO) is Wait.WIFI
    offline = Conditions(NetState(NetworkKind.OFFLINE), ROOMY)
    assert gate.wait_reason(CONFIG, offline, Origin.USER) is Wait.NETWORK
    no_server = Conditions(NetState(NetworkKind.WIFI, server_reachable=False), ROOMY)
    assert gate.wait_reason(CONFIG, no_server, Origin.USER) is Wait.SERVER


def test_a_cellular_modem_on_a_flat_rate_is_no_metered_link() -> None:
    # the watcher leaves `metered` off for an interface in [network] unmetered_interfaces
    flat = Conditions(NetState(NetworkKind.CELLULAR, metered=False), ROOMY)
    assert gate.wait_reason(CONFIG, flat, Origin.AUTO) is None


def test_the_free_space_floor_holds_a_persons_download_too() -> None:
    tight = DiskState(used_bytes=0, free_bytes=60 * MB)
    for origin in Origin:
        big = Transfer(origin, 20 * MB)
        small = Transfer(origin, 5 * MB)
        assert admitted([big, small], disk=tight) == [small]
        cond = Conditions(WIFI, tight)
        assert gate.blocked(CONFIG, cond, big) is Wait.DISK
    below = Conditions(WIFI, DiskState(0, 40 * MB))
    assert gate.wait_reason(CONFIG, below, Origin.USER) is Wait.DISK


def test_the_storage_limit_holds_only_automatic_copies() -> None:
    near = DiskState(used_bytes=95 * MB, free_bytes=10_000 * MB)
    auto, mine = Transfer(Origin.AUTO, 10 * MB), Transfer(Origin.USER, 10 * MB)
    assert admitted([auto, mine], disk=near) == [mine]
    assert gate.blocked(CONFIG, Conditions(WIFI, near), auto) is Wait.STORAGE
    full = Conditions(WIFI, DiskState(used_bytes=100 * MB, free_bytes=10_000 * MB))
    assert gate.wait_reason(CONFIG, full, Origin.AUTO) is Wait.STORAGE
    assert gate.wait_reason(CONFIG, full, Origin.USER) is None


def test_what_running_transfers_still_write_is_reserved() -> None:
    # each of these fits alone; together they would pass the limit
    running = (Transfer(Origin.AUTO, 60 * MB),)
    assert admitted([Transfer(Origin.AUTO, 50 * MB)], running) == []
    assert admitted([Transfer(Origin.AUTO, 40 * MB)], running) == [Transfer(Origin.AUTO, 40 * MB)]
    both = [Transfer(Origin.AUTO, 60 * MB), Transfer(Origin.AUTO, 50 * MB)]
    assert admitted(both) == both[:1]


def test_concurrency_is_the_smaller_of_the_setting_and_the_downloaders_cap() -> None:
    many = [Transfer(Origin.USER, MB) for _ in range(5)]
    assert len(admitted(many)) == 2
    one = CacheConfig(max_concurrent_downloads=1)
    assert len(admitted(many, config=one)) == 1
    assert admitted(many, (Transfer(Origin.USER, MB),), config=one) == []
    assert len(admitted(many, slots=1)) == 1


def test_one_that_does_not_fit_does_not_hold_back_a_later_one() -> None:
    queued = [Transfer(Origin.AUTO, 200 * MB), Transfer(Origin.AUTO, 10 * MB)]
    assert admitted(queued) == queued[1:]


def test_a_persons_download_starts_before_any_waiting_automatic_one() -> None:
    autos = [Transfer(Origin.AUTO, MB), Transfer(Origin.AUTO, MB)]  # the executor's, high first
    mine = Transfer(Origin.USER, MB)
    one = CacheConfig(max_concurrent_downloads=1)
    assert admitted([*autos, mine], config=one) == [mine]
    assert admitted([*autos, mine]) == [mine, autos[0]]


def test_an_automatic_copy_never_takes_the_room_a_waiting_persons_download_needs() -> None:
    # the floor lifted with a queue in place: 13 MB free, the person's 9 MB and two 5 MB copies
    lifted = CacheConfig(storage_limit=10**12, min_free_bytes=0)
    disk = DiskState(used_bytes=27 * MB, free_bytes=13 * MB)
    autos = [Transfer(Origin.AUTO, 5 * MB), Transfer(Origin.AUTO, 5 * MB)]
    mine = Transfer(Origin.USER, 9 * MB)
    assert admitted([*autos, mine], disk=disk, config=lifted) == [mine]
    # while the person's waits for room (it would not fit even alone), no copy starts into it
    tight = DiskState(used_bytes=0, free_bytes=55 * MB)
    small = Transfer(Origin.AUTO, 2 * MB)
    assert admitted([small, Transfer(Origin.USER, 20 * MB)], disk=tight) == []
    assert admitted([small], disk=tight) == [small]
    # a smaller person's download still goes past a bigger one that does not fit
    assert admitted([Transfer(Origin.USER, 20 * MB), Transfer(Origin.USER, MB)], disk=tight) == [
        Transfer(Origin.USER, MB)
    ]


def test_running_automatic_copies_make_room_for_a_persons_download() -> None:
    disk = DiskState(used_bytes=0, free_bytes=100 * MB)
    first, second = Transfer(Origin.AUTO, 30 * MB), Transfer(Origin.AUTO, 30 * MB)
    running = [first, second]
    turn = gate.turn(CONFIG, Conditions(WIFI, disk), running, [], lambda t: t, 8)
    assert turn.stop == [] and turn.start == []  # no person waits: nothing is stopped
    mine = Transfer(Origin.USER, 15 * MB)
    # 100 - 50 floor leaves 50 MB: the person's 15 and the first copy's 30 fit, the later one goes
    turn = gate.turn(CONFIG, Conditions(WIFI, disk), running, [mine], lambda t: t, 8)
    assert turn.stop == [second] and turn.start == [mine]
    # a person's running download is never stopped for another person's
    theirs = [Transfer(Origin.USER, 45 * MB)]
    turn = gate.turn(CONFIG, Conditions(WIFI, disk), theirs, [mine], lambda t: t, 8)
    assert turn.stop == [] and turn.start == []


def test_the_floor_is_never_below_the_room_the_part_writer_keeps_for_the_databases() -> None:
    # with `min_free_bytes = 0` a transfer admitted into the last MiB would only fail at its end
    none = CacheConfig(storage_limit=10**12, min_free_bytes=0)
    disk = DiskState(used_bytes=0, free_bytes=DATABASE_ROOM + 5 * MB)
    assert admitted([Transfer(Origin.USER, 6 * MB)], disk=disk, config=none) == []
    assert admitted([Transfer(Origin.USER, 5 * MB)], disk=disk, config=none) != []
    assert gate.floor(none) == DATABASE_ROOM and gate.floor(CONFIG) == 50 * MB
