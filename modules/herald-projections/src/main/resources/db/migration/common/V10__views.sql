-- PLACEHOLDER on the analytics branch, to be replaced at merge by the views projection's own
-- V10 (another engineer's work). Only the two tables the analytics queries read, empty here:
-- views per post, and views per chat and UTC day. "day" is quoted because DAY is a keyword in
-- H2 2.x (unquoted it fails on the embedded database); on PostgreSQL "day" and day are the same.
CREATE TABLE message_views (
  chat_id VARCHAR(100) NOT NULL,
  message_id BIGINT NOT NULL,
  views BIGINT NOT NULL,
  PRIMARY KEY (chat_id, message_id)
);

CREATE TABLE chat_views_daily (
  chat_id VARCHAR(100) NOT NULL,
  "day" DATE NOT NULL,
  views BIGINT NOT NULL,
  PRIMARY KEY (chat_id, "day")
);
