"""Errors of the local-folder source."""

from __future__ import annotations

from cache.errors import CacheError


class LocalLibraryError(CacheError):
    """Something about the music folder went wrong."""


class UnreadableFileError(LocalLibraryError):
    """A file in the music folder is not audio tapedeck can read (broken, truncated, unknown)."""
