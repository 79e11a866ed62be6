-- 0004: session ids are never reused. Without AUTOINCREMENT SQLite gives a
-- new row max(id) + 1, so deleting the newest session handed its id to the
-- next import, and an id in a lab's notes could come to name another
-- session. SQLite cannot add AUTOINCREMENT to a table: rebuild it (the
-- procedure of https://sqlite.org/lang_altertable.html#otheralter; the
-- migration runner turns foreign keys off around it and checks them before
-- committing). The sequence starts at the highest id in use: ids deleted
-- before this migration are not known any more.

CREATE TABLE sessions_new (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid          TEXT NOT NULL UNIQUE,
  title         TEXT NOT NULL DEFAULT '',
  subject       TEXT NOT NULL DEFAULT '',
  activity      TEXT NOT NULL DEFAULT '',
  tags          TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
  notes         TEXT NOT NULL DEFAULT '',
  device_id     INTEGER REFERENCES devices (id) ON DELETE SET NULL,
  start_ns      INTEGER,                  -- first sample, ns since the Unix epoch (UTC)
  end_ns        INTEGER,                  -- last sample
  nominal_rate  REAL NOT NULL DEFAULT 0,
  tz_offset_s   INTEGER NOT NULL DEFAULT 0,
  frame         TEXT NOT NULL DEFAULT '',
  origin        TEXT NOT NULL DEFAULT 'imported'
                CHECK (origin IN ('recorded', 'imported', 'bundle', 'generated')),
  origin_path   TEXT NOT NULL DEFAULT '',
  origin_sha256 TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL DEFAULT 'complete'
                CHECK (state IN ('recording', 'interrupted', 'complete')),
  created_us    INTEGER NOT NULL,
  updated_us    INTEGER NOT NULL
);

INSERT INTO sessions_new (id, uuid, title, subject, activity, tags, notes, device_id, start_ns,
                          end_ns, nominal_rate, tz_offset_s, frame, origin, origin_path,
                          origin_sha256, state, created_us, updated_us)
  SELECT id, uuid, title, subject, activity, tags, notes, device_id, start_ns,
         end_ns, nominal_rate, tz_offset_s, frame, origin, origin_path,
         origin_sha256, state, created_us, updated_us
  FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_start ON sessions (start_ns);
CREATE INDEX sessions_sha256 ON sessions (origin_sha256);
