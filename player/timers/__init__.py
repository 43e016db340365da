"""The timers room: the sleep timer, and where long tracks (audiobooks, mixes) were left."""
