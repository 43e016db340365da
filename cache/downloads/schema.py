"""Columns the download manager relies on; they arrive with cache/schema.py's second migration
(`quality`: the seventh)."""

from __future__ import annotations

REQUIRED_COLUMNS = ("cleared_at", "wait_reason", "quality")
