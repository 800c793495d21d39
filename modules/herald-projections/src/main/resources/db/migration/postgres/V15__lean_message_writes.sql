-- What each message costs PostgreSQL (docs/benchmarks.md, "Leaner rows per message").
--
-- chat_updates' message index serves one thing: finding the update rows that carry a message
-- when it is edited or deleted, to rewrite them. A message.new row is never rewritten (it holds
-- no copy of its message; readers join chat_messages, which is), so the index leaves out
-- message.new rows, nearly every row written: one index entry less per message.
DROP INDEX chat_updates_message_idx;
CREATE INDEX chat_updates_message_idx ON chat_updates (chat_id, message_id) WHERE kind <> 'message.new';

-- The tag rows are written by the same statement as their journal rows (BatchedJournalDao), so
-- the foreign key only checked what the statement guarantees, at a cost per event: a lookup of
-- the journal row and a lock on it (FOR KEY SHARE), written to the WAL. Its ON DELETE CASCADE is
-- done by BatchedJournalDao.delete, which removes the tag rows of the events it deletes.
ALTER TABLE event_tag DROP CONSTRAINT IF EXISTS fk_event_journal;
