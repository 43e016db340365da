"""The Jellyfin remote-control room: an app's "Play On" requests become the player's Commands."""
