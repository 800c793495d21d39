-- Deleting a message cancels its pending deliveries by (chat_id, message_id); the difference
-- call reads a chat's updates by journal position (chat_id, seq). Both without a scan.
CREATE INDEX push_deliveries_message_idx ON push_deliveries (chat_id, message_id);
CREATE INDEX chat_updates_seq_idx ON chat_updates (chat_id, seq);
