"""Fake servers (Jellyfin, slskd) for the tests, faithful to shared/reference/servers.md."""
