"""Stream-through: what must stream is fetched once into the cache as it plays (service.py)."""

from cache.streamthrough.service import StreamRules, StreamThrough, StreamTimings

__all__ = ["StreamRules", "StreamThrough", "StreamTimings"]
