-- 0002: the latest profile of each session (imu-profile.c, docs/profile.md).
-- Released migrations are never edited: add a new numbered file instead.

CREATE TABLE profiles (
  session_id        INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  profiler_version  INTEGER NOT NULL,   -- IMU_PROFILER_VERSION that computed it
  data_fingerprint  TEXT NOT NULL,      -- SHA-256 of the session's stream, channel, chunk-index and import rows
  options_hash      TEXT NOT NULL,      -- of the profile options that change results
  created_us        INTEGER NOT NULL,
  json              TEXT NOT NULL       -- profile.json (docs/profile.schema.json)
);
