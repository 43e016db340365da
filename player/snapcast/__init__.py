"""The Snapcast room: the `[snapcast]` config, group control routes' wiring, the room's snapclient,
the source's relay, and the controlscript plug-in snapserver runs (`tapedeck snapcast-plugin`)."""
