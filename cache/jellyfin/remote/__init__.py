"""Jellyfin remote control: tapedeck as a cast target in the apps' "Play On" menu."""
