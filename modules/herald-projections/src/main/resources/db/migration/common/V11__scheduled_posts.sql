-- Scheduled posts (ScheduledPostsProjection + ScheduledPostsScheduler; see ARCHITECTURE.md).
-- One row per pending scheduled post, written exactly-once from the chat journal; the
-- scheduler reads due rows and asks the chat to publish, which it does at most once.
CREATE TABLE scheduled_posts (
  chat_id VARCHAR(100) NOT NULL,
  scheduled_id BIGINT NOT NULL,
  due_at TIMESTAMP WITH TIME ZONE NOT NULL,
  key_id VARCHAR(64) NOT NULL,
  PRIMARY KEY (chat_id, scheduled_id)
);
CREATE INDEX scheduled_posts_due_idx ON scheduled_posts (due_at);

-- Messages published by their schedule are flagged in history.
ALTER TABLE chat_messages ADD COLUMN from_scheduled BOOLEAN DEFAULT FALSE NOT NULL;
