-- 0001: the initial IMU Studio library schema.
-- Released migrations are never edited: add a new numbered file instead.

CREATE TABLE devices (
  id        INTEGER PRIMARY KEY,
  vendor    TEXT NOT NULL DEFAULT '',
  model     TEXT NOT NULL DEFAULT '',
  serial    TEXT NOT NULL DEFAULT '',
  firmware  TEXT NOT NULL DEFAULT '',
  ranges    TEXT,                        -- JSON: {"accel_g": 8, "gyro_dps": 2000}
  UNIQUE (vendor, model, serial, firmware)
);

CREATE TABLE sessions (
  id            INTEGER PRIMARY KEY,
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
CREATE INDEX sessions_start ON sessions (start_ns);
CREATE INDEX sessions_sha256 ON sessions (origin_sha256);

CREATE TABLE streams (
  id            INTEGER PRIMARY KEY,
  session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL DEFAULT '',
  nominal_rate  REAL NOT NULL DEFAULT 0,
  n_channels    INTEGER NOT NULL,
  n_samples     INTEGER NOT NULL DEFAULT 0,
  n_chunks      INTEGER NOT NULL DEFAULT 0,
  t_first_ns    INTEGER,
  t_last_ns     INTEGER,
  time_format   TEXT NOT NULL DEFAULT '{}',  -- JSON: {"kind":"epoch_s","decimals":4,…}
  UNIQUE (session_id, name)
);

CREATE TABLE channels (
  stream_id  INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  idx        INTEGER NOT NULL,
  name       TEXT NOT NULL,
  unit       TEXT NOT NULL DEFAULT '',
  kind       TEXT NOT NULL DEFAULT '',
  decimals   INTEGER NOT NULL DEFAULT -1,
  range_min  REAL,
  range_max  REAL,
  PRIMARY KEY (stream_id, idx)
) WITHOUT ROWID;

-- Samples, IMU_CHUNK_SAMPLES per row, encoded by imu-codec (docs/codec.md).
CREATE TABLE chunks (
  stream_id   INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,   -- 0, 1, 2… in sample order
  first_index INTEGER NOT NULL,   -- index of the chunk's first sample in the stream
  n_samples   INTEGER NOT NULL,
  t_min_ns    INTEGER NOT NULL,
  t_max_ns    INTEGER NOT NULL,
  data        BLOB NOT NULL,
  PRIMARY KEY (stream_id, seq)
) WITHOUT ROWID;
-- Opening a stream reads the chunk index (not the blobs): a covering index
-- keeps that to a few small pages instead of one leaf page per few chunks.
CREATE INDEX chunks_index ON chunks (stream_id, seq, first_index, n_samples, t_min_ns, t_max_ns);

-- Min/max envelopes: level L summarises blocks of lod_block_size(L) samples;
-- each row holds up to 4096 consecutive blocks, encoded by imu-codec as a
-- chunk whose timestamps are the blocks' first sample times and whose
-- columns are min0, max0, min1, max1, … (docs/codec.md).
CREATE TABLE lod (
  stream_id   INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  level       INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  n_blocks    INTEGER NOT NULL,
  data        BLOB NOT NULL,
  PRIMARY KEY (stream_id, level, seq)
) WITHOUT ROWID;

CREATE TABLE events (
  id           INTEGER PRIMARY KEY,
  session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  t_ns         INTEGER NOT NULL,
  duration_ns  INTEGER NOT NULL DEFAULT 0,
  kind         TEXT NOT NULL DEFAULT 'marker',
  label        TEXT NOT NULL DEFAULT '',
  payload      TEXT,                      -- JSON
  created_us   INTEGER NOT NULL
);
CREATE INDEX events_session ON events (session_id, t_ns);

CREATE TABLE calibration (
  stream_id  INTEGER PRIMARY KEY REFERENCES streams (id) ON DELETE CASCADE,
  source     TEXT NOT NULL DEFAULT 'imported',   -- imported | estimated | manual
  data       TEXT NOT NULL                        -- JSON: offsets, scales, axis alignment
);

CREATE TABLE imports (
  id          INTEGER PRIMARY KEY,
  session_id  INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
  path        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  rows        INTEGER NOT NULL DEFAULT 0,
  format      TEXT NOT NULL DEFAULT '',
  delimiter   TEXT,
  utf8_valid  INTEGER NOT NULL DEFAULT 1,
  duration_s  REAL NOT NULL DEFAULT 0,
  issues      TEXT NOT NULL DEFAULT '{}',  -- JSON: {"CODE": {"count": n, "lines": [..]}}
  error       TEXT,                        -- the message when the import failed
  created_us  INTEGER NOT NULL
);
CREATE INDEX imports_sha256 ON imports (sha256);
CREATE INDEX imports_session ON imports (session_id);
