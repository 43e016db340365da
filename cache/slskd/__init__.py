"""slskd acquisition: search Soulseek through slskd, enqueue, follow every transfer, land the files."""

from cache.slskd.candidates import Candidate, rank_candidates
from cache.slskd.client import ClientConfig, SlskdClient
from cache.slskd.errors import (
    SlskdAuthError,
    SlskdBusyError,
    SlskdError,
    SlskdNotFoundError,
    SlskdProtocolError,
    SlskdRequestError,
    SlskdUnavailableError,
)
from cache.slskd.events import SystemClock, TrackerConfig
from cache.slskd.mapping import TransferCategory, map_state
from cache.slskd.sqlite_store import SqliteStore
from cache.slskd.store import MemoryStore, NewTransfer, SlskdDownloadStore
from cache.slskd.tracker import EnqueueOutcome, Tracker
from cache.slskd.wire import FileRequest, Search, SearchId, SearchResponse, Transfer, TransferId

__all__ = [
    "Candidate",
    "ClientConfig",
    "EnqueueOutcome",
    "FileRequest",
    "MemoryStore",
    "NewTransfer",
    "Search",
    "SearchId",
    "SearchResponse",
    "SlskdAuthError",
    "SlskdBusyError",
    "SlskdClient",
    "SlskdDownloadStore",
    "SlskdError",
    "SlskdNotFoundError",
    "SlskdProtocolError",
    "SlskdRequestError",
    "SlskdUnavailableError",
    "SqliteStore",
    "SystemClock",
    "Tracker",
    "TrackerConfig",
    "Transfer",
    "TransferCategory",
    "TransferId",
    "map_state",
    "rank_candidates",
]
