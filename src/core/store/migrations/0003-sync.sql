-- 0003: sync — where sessions go (targets) and what state each transfer is in.
-- Released migrations are never edited: add a new numbered file instead.
-- Secrets (SAS tokens, account keys) are NOT in this file: they live in the
-- Secret Service or in a private file, found by sync_targets.secret_id.

CREATE TABLE sync_targets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL CHECK (kind IN ('folder', 'azure', 's3', 'webdav')),
  url           TEXT NOT NULL,            -- folder path, container URL, endpoint: never with a secret
  prefix        TEXT NOT NULL DEFAULT '', -- remote layout: <prefix>/sessions/<uuid>/…
  config        TEXT NOT NULL DEFAULT '{}', -- JSON, kind-specific and non-secret (auth kind, account, region…)
  secret_id     TEXT NOT NULL DEFAULT '', -- the key of the target's secret in the secret store
  insecure      INTEGER NOT NULL DEFAULT 0, -- plain http allowed to a non-loopback host
  allow_metered INTEGER,                  -- NULL: the global setting decides
  created_us    INTEGER NOT NULL
);

-- One row per session × target × direction. A push is keyed by the
-- session's uuid (a pull has no local session yet).
CREATE TABLE sync_items (
  id              INTEGER PRIMARY KEY,
  target_id       INTEGER NOT NULL REFERENCES sync_targets (id) ON DELETE CASCADE,
  session_uuid    TEXT NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
  state           TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'transferring', 'verifying', 'done', 'retrying', 'needs-attention')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_us INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,                   -- redacted: never a signature or key
  resume_state    TEXT,                   -- JSON: Azure block ids sent; S3 upload id + part ETags
  bytes_done      INTEGER NOT NULL DEFAULT 0,
  bytes_total     INTEGER NOT NULL DEFAULT 0,
  sha256          TEXT,                   -- of the bundle being sent or expected
  created_us      INTEGER NOT NULL,
  updated_us      INTEGER NOT NULL,
  UNIQUE (target_id, session_uuid, direction)
);
CREATE INDEX sync_items_due ON sync_items (state, next_attempt_us);

-- Global sync settings (key → value), e.g. allow_metered = 0.
CREATE TABLE sync_settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
INSERT INTO sync_settings (key, value) VALUES ('allow_metered', '0');
