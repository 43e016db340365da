"""tapedeck's service: playback, queue, the HTTP API and the device edges."""

__version__ = "0.1.0"
