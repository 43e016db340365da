"""The radio room: internet radio stations, played like a track and never cached."""
