-- Push notification outbox (PushOutboxProjection, PushDispatcher; see ARCHITECTURE.md).
-- push_jobs: one row per message that may notify, written exactly-once by the projection; the
-- dispatcher walks the chat's members from cursor_user and deletes the job when done.
CREATE TABLE push_jobs (
  chat_id VARCHAR(100) NOT NULL,
  message_id BIGINT NOT NULL,
  sender_id VARCHAR(100) NOT NULL,
  sent_at TIMESTAMP WITH TIME ZONE NOT NULL,
  cursor_user VARCHAR(100) DEFAULT '' NOT NULL,
  PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX push_jobs_age_idx ON push_jobs (sent_at);

-- One row per message and device: the primary key is the deduplication (at most one
-- notification per message per device, across restarts and dispatcher failovers).
-- status: pending (next_attempt_at is when), sent, failed (gave up), cancelled (deleted message).
CREATE TABLE push_deliveries (
  session_id VARCHAR(100) NOT NULL,
  chat_id VARCHAR(100) NOT NULL,
  message_id BIGINT NOT NULL,
  user_id VARCHAR(100) NOT NULL,
  push_token VARCHAR(512) NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INT DEFAULT 0 NOT NULL,
  next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  sent_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (session_id, chat_id, message_id)
);
CREATE INDEX push_deliveries_due_idx ON push_deliveries (status, next_attempt_at);
