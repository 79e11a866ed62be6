-- 0007: what two libraries need to merge their edits of one session
-- (docs/sync.md, "When two libraries edit the same session"): when each
-- metadata field was last edited, a stable id and an edit time for every
-- event, the events deleted, and which version of a target's manifest was
-- last looked at. Released migrations are never edited: add a new file.

-- The last edit of a metadata field (title, subject, activity, tags,
-- notes) by a person, µs since the epoch. A field never edited has no row.
CREATE TABLE session_edits (
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  field       TEXT NOT NULL,
  updated_us  INTEGER NOT NULL,
  PRIMARY KEY (session_id, field)
) WITHOUT ROWID;

-- An event's id across libraries (32 hex digits) and the time of its last
-- change. Events from before this migration get a new id, and their
-- creation as their change.
ALTER TABLE events ADD COLUMN uid TEXT;
ALTER TABLE events ADD COLUMN updated_us INTEGER NOT NULL DEFAULT 0;
UPDATE events SET uid = lower (hex (randomblob (16))), updated_us = created_us;
CREATE UNIQUE INDEX events_uid ON events (session_id, uid);

-- Events deleted by a person, so that merging another library's copy of
-- the session does not bring them back.
CREATE TABLE event_tombstones (
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  uid         TEXT NOT NULL,
  deleted_us  INTEGER NOT NULL,
  PRIMARY KEY (session_id, uid)
) WITHOUT ROWID;

-- The version of a session's manifest on a target (its ETag, else its
-- size and modification time) that this library last merged or found
-- equal; a listing that shows another version queues a pull.
CREATE TABLE sync_remote_seen (
  target_id     INTEGER NOT NULL REFERENCES sync_targets (id) ON DELETE CASCADE,
  session_uuid  TEXT NOT NULL,
  manifest_tag  TEXT NOT NULL,
  PRIMARY KEY (target_id, session_uuid)
) WITHOUT ROWID;
