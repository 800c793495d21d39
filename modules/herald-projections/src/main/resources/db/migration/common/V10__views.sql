-- View counters (ViewsProjection over the post-views journal; see ARCHITECTURE.md and
-- docs/analytics.md). Exactly-once: the counts and the projection offset commit together.

-- Distinct viewers of each post of a channel or group.
CREATE TABLE message_views (
  chat_id VARCHAR(100) NOT NULL,
  message_id BIGINT NOT NULL,
  views BIGINT NOT NULL,
  PRIMARY KEY (chat_id, message_id)
);

-- First views per chat and day (UTC): a viewer counts on the day they first saw a post.
CREATE TABLE chat_views_daily (
  chat_id VARCHAR(100) NOT NULL,
  day_utc DATE NOT NULL,
  views BIGINT NOT NULL,
  PRIMARY KEY (chat_id, day_utc)
);
