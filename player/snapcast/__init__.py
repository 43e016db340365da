"""The Snapcast room: the `[snapcast]` config, group control routes' wiring, the room's snapclient."""
