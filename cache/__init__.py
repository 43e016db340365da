"""tapedeck's cache: make these tracks be on disk, within these limits. Never imports `player`."""
