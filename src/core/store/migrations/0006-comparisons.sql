-- 0006: saved comparisons — two to four sessions side by side, each with
-- the stream compared and its offset on the reference's clock
-- (docs/compare.md). Released migrations are never edited: add a new
-- numbered file instead.

CREATE TABLE comparisons (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  -- Lowercase RFC 4122: a comparison keeps it when it travels in bundles,
  -- so that importing the second session's bundle does not add it twice.
  uuid       TEXT NOT NULL UNIQUE,
  title      TEXT NOT NULL,
  -- How the offsets were found: 'start', 'event:LABEL', 'xcorr', 'offset'
  -- or 'manual' (edited by hand). Informative: the offsets are the truth.
  align      TEXT NOT NULL DEFAULT 'start',
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL
);

CREATE TABLE comparison_members (
  comparison_id INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
  -- 0 is the reference, then the others in the order they were given.
  position      INTEGER NOT NULL CHECK (position BETWEEN 0 AND 3),
  session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- The stream compared in that session; NULL for the default choice.
  stream_name   TEXT,
  -- Added to the session's times to put them on the reference's clock
  -- (0 for the reference).
  offset_ns     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (comparison_id, position)
);
CREATE INDEX comparison_members_session ON comparison_members (session_id);

-- A comparison without one of its sessions means nothing: deleting a
-- session (emptying the trash) deletes the comparisons it is part of.
CREATE TRIGGER comparisons_session_deleted BEFORE DELETE ON sessions
BEGIN
  DELETE FROM comparisons
   WHERE id IN (SELECT comparison_id FROM comparison_members WHERE session_id = OLD.id);
END;
