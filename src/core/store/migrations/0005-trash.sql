-- 0005: the trash — a deleted session is kept, samples and all, until it
-- has been in the trash for the library's trash_days (docs/library.md).
-- Released migrations are never edited: add a new numbered file instead.

-- When the session was put in the trash (µs since the epoch, UTC); NULL
-- for a session that is not in the trash.
ALTER TABLE sessions ADD COLUMN trashed_us INTEGER;
CREATE INDEX sessions_trashed ON sessions (trashed_us) WHERE trashed_us IS NOT NULL;

-- Settings of the library itself (not of one program that opens it).
CREATE TABLE library_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO library_settings (key, value) VALUES ('trash_days', '30');
