"""The cache database (`<state_dir>/cache.db`): catalogue, downloads and play history.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

from cache.db import Migration

V1_CATALOGUE_AND_DOWNLOADS = """
CREATE TABLE albums (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    title         TEXT NOT NULL,
    artists       TEXT NOT NULL DEFAULT '[]',   -- JSON array of names
    year          INTEGER,
    image_tag     TEXT,                          -- the source's cover id, if any
    sort_title    TEXT NOT NULL DEFAULT '',
    seen_at       TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE tracks (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    album_id      TEXT NOT NULL,
    title         TEXT NOT NULL,
    album         TEXT NOT NULL DEFAULT '',
    artists       TEXT NOT NULL DEFAULT '[]',
    album_artist  TEXT NOT NULL DEFAULT '',
    duration      REAL NOT NULL DEFAULT 0,
    track_number  INTEGER,
    disc_number   INTEGER,
    container     TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    year          INTEGER,
    rg_track      REAL,
    rg_album      REAL,
    local_path    TEXT,                          -- only for the local source: relative to music_dir
    mtime_ns      INTEGER,                       -- local source: to skip unchanged files on rescan
    seen_at       TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_tracks_album ON tracks(album_id, disc_number, track_number, title);
CREATE INDEX idx_tracks_source ON tracks(source);

CREATE VIRTUAL TABLE tracks_fts USING fts5(
    title, album, artists, content='tracks', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER tracks_ai AFTER INSERT ON tracks BEGIN
    INSERT INTO tracks_fts(rowid, title, album, artists) VALUES (new.rowid, new.title, new.album, new.artists);
END;
CREATE TRIGGER tracks_ad AFTER DELETE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, album, artists)
    VALUES ('delete', old.rowid, old.title, old.album, old.artists);
END;
CREATE TRIGGER tracks_au AFTER UPDATE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, album, artists)
    VALUES ('delete', old.rowid, old.title, old.album, old.artists);
    INSERT INTO tracks_fts(rowid, title, album, artists) VALUES (new.rowid, new.title, new.album, new.artists);
END;

-- The columns of design/download-manager.md, then what tapedeck adds.
CREATE TABLE downloads (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id          TEXT NOT NULL,
    user_id          TEXT NOT NULL DEFAULT '',
    file_path        TEXT,             -- relative to cache_dir, derived from ids, never from a client
    file_size        INTEGER,
    mime_type        TEXT,
    status           TEXT NOT NULL DEFAULT 'pending',
    progress         REAL NOT NULL DEFAULT 0.0,
    bytes_downloaded INTEGER NOT NULL DEFAULT 0,
    priority         INTEGER NOT NULL DEFAULT 0,
    error_message    TEXT,
    retry_count      INTEGER NOT NULL DEFAULT 0,
    queued_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at       TEXT,
    completed_at     TEXT,
    source           TEXT NOT NULL DEFAULT 'jellyfin',
    origin           TEXT NOT NULL DEFAULT 'user',      -- user (pinned) | auto (pre-cached)
    title            TEXT NOT NULL DEFAULT '',
    album            TEXT NOT NULL DEFAULT '',
    album_id         TEXT NOT NULL DEFAULT '',
    last_modified    TEXT,             -- the validator for If-Range on resume
    last_access      TEXT,             -- for least-recently-used eviction
    played_at        TEXT,             -- automatic copies that were played go first
    remote_user      TEXT,             -- slskd: the peer
    remote_filename  TEXT,             -- slskd: the peer's full path
    remote_transfer  TEXT,             -- slskd: the transfer id
    missing_polls    INTEGER NOT NULL DEFAULT 0,
    CHECK (status IN ('pending', 'downloading', 'paused', 'completed', 'failed', 'cancelled')),
    CHECK (origin IN ('user', 'auto'))
);
CREATE INDEX idx_downloads_queue ON downloads(status, priority DESC, queued_at ASC)
    WHERE status IN ('pending', 'downloading');
CREATE UNIQUE INDEX idx_downloads_item ON downloads(item_id) WHERE status != 'cancelled';

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# clear-completed hides a row but keeps it (the row is what vouches for the file, and files without
# rows are removed at start); wait_reason keeps "disk full" across a restart.
V2_DOWNLOADS_CLEARED_AND_WAIT_REASON = """
ALTER TABLE downloads ADD COLUMN cleared_at TEXT;
ALTER TABLE downloads ADD COLUMN wait_reason TEXT;
"""

# Every track start: the pre-cacher's history (album affinity, roaming) and the Jellyfin plays still
# owed to the server. `reported` turns 1 once the server knows of the play, live or replayed, so a
# replay happens once; the partial index keeps the "owed" lookup cheap as the table grows.
V3_PLAYS = """
CREATE TABLE plays (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     TEXT NOT NULL,
    album_id    TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    started_at  TEXT NOT NULL,                  -- ISO-8601 UTC, the real time of the start
    network     TEXT NOT NULL DEFAULT 'unknown', -- Network.kind when it started
    from_local  INTEGER NOT NULL DEFAULT 0,      -- 1: played from a complete local copy
    reported    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_plays_owed ON plays(id) WHERE reported = 0;
"""

# At 50,000 tracks: the albums page walks idx_albums_order (the very expressions it sorts by) and stops
# at the page instead of sorting every album; an update that changes no searchable text leaves the FTS
# index alone (a resync rewrote every FTS row before, hundreds of MiB on an SD card).
V4_SCALE = """
CREATE INDEX idx_albums_order ON albums(
    json_extract(artists, '$[0]') COLLATE NOCASE, sort_title COLLATE NOCASE, title COLLATE NOCASE, id
);
-- An album's count, length and offline state come from this index alone (no table lookups).
CREATE INDEX idx_tracks_album_sums ON tracks(album_id, source, duration, id);
DROP TRIGGER tracks_au;
CREATE TRIGGER tracks_au AFTER UPDATE OF title, album, artists ON tracks
WHEN old.title IS NOT new.title OR old.album IS NOT new.album OR old.artists IS NOT new.artists
BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, album, artists)
    VALUES ('delete', old.rowid, old.title, old.album, old.artists);
    INSERT INTO tracks_fts(rowid, title, album, artists) VALUES (new.rowid, new.title, new.album, new.artists);
END;
"""

# Fewer indexes to write on every scan: idx_tracks_album_sums also serves an album's track list, and
# `source` has two values in 50,000 rows (a table scan is as quick as that index).
V5_FEWER_TRACK_INDEXES = """
DROP INDEX idx_tracks_album;
DROP INDEX idx_tracks_source;
"""

# The hash of each completed file, taken when it completed, so a later start can tell a file that
# was damaged in place at the same size (an SD card's bit rot, a bad write) and fetch it again.
# `completed_at` ties the hash to one completion: a file downloaded again is hashed afresh.
V6_FILE_HASHES = """
CREATE TABLE file_hashes (
    file_path    TEXT PRIMARY KEY,              -- relative to cache_dir, as in downloads
    completed_at TEXT NOT NULL,
    size         INTEGER NOT NULL,
    blake2b      TEXT NOT NULL
);
"""

# Which copy a download keeps: "original", or the transcode profile it was fetched with ("opus:128"),
# so the page and the planner can tell a small copy from the file itself.
V7_DOWNLOAD_QUALITY = """
ALTER TABLE downloads ADD COLUMN quality TEXT NOT NULL DEFAULT 'original';
"""

# Playlists (a Jellyfin server's, a Subsonic server's, the music folder's .m3u files) and artists.
# A playlist's entries are one JSON array of track ids in play order (a track may repeat), so a
# resync rewrites a playlist in one statement, and not at all when nothing changed. Artists come from
# the albums' artist names, kept in step by triggers (only a real change of `albums.artists` fires
# one), so the Artists page is chosen in SQL like the albums page and every source has artists.
V8_PLAYLISTS_AND_ARTISTS = """
CREATE TABLE playlists (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    name        TEXT NOT NULL,
    items       TEXT NOT NULL DEFAULT '[]',      -- JSON array of track ids, in order
    skipped     INTEGER NOT NULL DEFAULT 0,      -- local .m3u: lines not used (outside, URLs, junk)
    local_path  TEXT,                            -- local .m3u: relative to music_dir
    seen_at     TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_playlists_order ON playlists(name COLLATE NOCASE, id);

CREATE TABLE artists (
    id    INTEGER PRIMARY KEY,                   -- never reused: rows are not deleted
    name  TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE album_artists (
    artist_id  INTEGER NOT NULL,
    album_id   TEXT NOT NULL,
    PRIMARY KEY (artist_id, album_id)
) WITHOUT ROWID;
CREATE INDEX idx_album_artists_album ON album_artists(album_id);
-- Not INSERT OR IGNORE: inside the DO UPDATE of an upsert, the outer statement's conflict policy
-- (abort) overrides a trigger's OR IGNORE.
CREATE TRIGGER albums_artists_ai AFTER INSERT ON albums BEGIN
    INSERT INTO artists(name)
        SELECT DISTINCT trim(j.value) COLLATE NOCASE FROM json_each(new.artists) j
        WHERE trim(j.value) != ''
          AND NOT EXISTS (SELECT 1 FROM artists ar WHERE ar.name = trim(j.value));
    INSERT INTO album_artists(artist_id, album_id)
        SELECT DISTINCT ar.id, new.id FROM json_each(new.artists) j
        JOIN artists ar ON ar.name = trim(j.value);
END;
CREATE TRIGGER albums_artists_au AFTER UPDATE OF artists ON albums
WHEN old.artists IS NOT new.artists
BEGIN
    DELETE FROM album_artists WHERE album_id = old.id;
    INSERT INTO artists(name)
        SELECT DISTINCT trim(j.value) COLLATE NOCASE FROM json_each(new.artists) j
        WHERE trim(j.value) != ''
          AND NOT EXISTS (SELECT 1 FROM artists ar WHERE ar.name = trim(j.value));
    INSERT INTO album_artists(artist_id, album_id)
        SELECT DISTINCT ar.id, new.id FROM json_each(new.artists) j
        JOIN artists ar ON ar.name = trim(j.value);
END;
CREATE TRIGGER albums_artists_ad AFTER DELETE ON albums BEGIN
    DELETE FROM album_artists WHERE album_id = old.id;
END;
INSERT OR IGNORE INTO artists(name)
    SELECT trim(j.value) FROM albums a, json_each(a.artists) j WHERE trim(j.value) != '';
INSERT OR IGNORE INTO album_artists(artist_id, album_id)
    SELECT ar.id, a.id FROM albums a, json_each(a.artists) j JOIN artists ar ON ar.name = trim(j.value);
"""

# A device that synced Jellyfin before playlists were kept would find its catalogue "unchanged" and
# never read them until the weekly full sync: forgetting the mark makes the next sync a full one.
V9_FULL_JELLYFIN_SYNC_FOR_PLAYLISTS = """
DELETE FROM meta WHERE key = 'jellyfin_catalogue_sync';
"""

MIGRATIONS: list[Migration] = [
    V1_CATALOGUE_AND_DOWNLOADS,
    V2_DOWNLOADS_CLEARED_AND_WAIT_REASON,
    V3_PLAYS,
    V4_SCALE,
    V5_FEWER_TRACK_INDEXES,
    V6_FILE_HASHES,
    V7_DOWNLOAD_QUALITY,
    V8_PLAYLISTS_AND_ARTISTS,
    V9_FULL_JELLYFIN_SYNC_FOR_PLAYLISTS,
]
