"""The controller's queue commands: add, remove, move, jump, clear, and the restore after a restart.

Each runs on the controller's task (see PlayerController.run), one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from player.playback import commands as c
from player.playback.commands import PlayState
from player.playback.entry import Entry, EntryId

if TYPE_CHECKING:
    from player.playback.controller import PlayerController


async def queue_add(ctl: PlayerController, cmd: c.QueueAdd) -> None:
    was_empty = not ctl.queue.entries
    if cmd.mode is c.QueueMode.REPLACE:
        ctl.queue.replace(cmd.tracks, cmd.start_index)
        if ctl.shuffle:
            ctl.queue.set_shuffle(True)
    elif cmd.mode is c.QueueMode.APPEND:
        ctl.queue.append(cmd.tracks)
    else:
        ctl.queue.insert_next(cmd.tracks)
    if cmd.added is not None:
        cmd.added(ctl.queue.last_change.added)
    ctl.notify("queue")
    if cmd.play or (cmd.mode is c.QueueMode.REPLACE and ctl.state is not PlayState.STOPPED):
        await ctl.start_current(0.0)
    elif was_empty and ctl.state is PlayState.STOPPED:
        ctl.position = 0.0
        ctl.notify("player")
    else:
        await ctl.sync_next()


async def queue_remove(ctl: PlayerController, cmd: c.QueueRemove) -> None:
    was_current = ctl.queue.remove(cmd.entry_id)
    ctl.notify("queue")
    if was_current and ctl.state is not PlayState.STOPPED:
        if ctl.queue.current is None:
            await ctl.stop_playback(c.Stop())
        else:
            await ctl.start_current(0.0, paused=ctl.state is PlayState.PAUSED)
    else:
        await ctl.sync_next()


async def queue_move(ctl: PlayerController, cmd: c.QueueMove) -> None:
    ctl.queue.move(cmd.entry_id, cmd.to)
    ctl.notify("queue")
    await ctl.sync_next()


async def queue_jump(ctl: PlayerController, cmd: c.QueueJump) -> None:
    await ctl.go_to(cmd.index)


async def queue_clear(ctl: PlayerController, _: c.QueueClear) -> None:
    await ctl.stop_playback(c.Stop())
    ctl.queue.clear()
    ctl.notify("queue")


async def restore(ctl: PlayerController, cmd: c.Restore) -> None:
    ctl.queue.restore([Entry(EntryId(eid), t) for eid, t in cmd.entries], cmd.index, cmd.version)
    ctl.volume, ctl.muted = cmd.volume, cmd.muted
    ctl.repeat, ctl.shuffle = cmd.repeat, cmd.shuffle
    await ctl.engine.set_volume(ctl.volume)
    await ctl.engine.set_muted(ctl.muted)
    ctl.position = cmd.position
    ctl.notify("queue")
    if cmd.start is PlayState.STOPPED or ctl.queue.current is None:
        ctl.notify("player")
        return
    await ctl.start_current(cmd.position, paused=cmd.start is PlayState.PAUSED)


async def copy_landed(ctl: PlayerController, cmd: c.CopyLanded) -> None:
    following = ctl.queue.following(ctl.repeat)
    entry = ctl.queue.entries[following] if following is not None else None
    if entry is not None and entry.item_id == cmd.item_id:
        await ctl.link.upgrade_next(entry)


Handler = Callable[["PlayerController", Any], Coroutine[Any, Any, None]]
QUEUE_HANDLERS: dict[type, Handler] = {
    c.QueueAdd: queue_add,
    c.QueueRemove: queue_remove,
    c.QueueMove: queue_move,
    c.QueueJump: queue_jump,
    c.QueueClear: queue_clear,
    c.Restore: restore,
    c.CopyLanded: copy_landed,
}
