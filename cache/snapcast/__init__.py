"""Snapcast multiroom: snapserver's JSON-RPC control and the rooms it knows (never imports player/)."""
