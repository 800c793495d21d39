-- Analytics read models: the stable schema of docs/analytics.md, which analysts may query
-- directly (read-only role herald_analyst, V13). Written exactly-once (rows and offset in one
-- transaction) by the "analytics" projection (chat events, tags chat-0..7) and the
-- "analytics-users" projection (tag users). Days and hours are UTC. Counters never go down.
--
-- Platform-wide counters carry a slice: the tag partition (0-7) of the chats counted, so each
-- row has one writer and the eight projection instances never wait on one hot row. Readers sum
-- over slice.

-- Groups and channels, per chat and UTC day. joins counts users who became members that day,
-- including the members the chat was created with (a channel's owner), so the member count at
-- the end of a day is the sum of joins - leaves up to and including that day. messages counts
-- messages sent (a channel's posts), deleted ones included.
CREATE TABLE analytics_chat_daily (
  chat_id VARCHAR(100) NOT NULL,
  day_utc DATE NOT NULL,
  joins BIGINT DEFAULT 0 NOT NULL,
  leaves BIGINT DEFAULT 0 NOT NULL,
  messages BIGINT DEFAULT 0 NOT NULL,
  PRIMARY KEY (chat_id, day_utc)
);

-- Every post of a channel with its time; a post deleted for everyone is removed. Joined with
-- message_views for views per post and top posts.
CREATE TABLE analytics_channel_posts (
  chat_id VARCHAR(100) NOT NULL,
  message_id BIGINT NOT NULL,
  posted_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX analytics_channel_posts_time_idx ON analytics_channel_posts (chat_id, posted_at);

-- Messages sent per UTC hour (the start of the hour) and chat kind ('direct', 'group', 'channel').
CREATE TABLE analytics_messages_hourly (
  hour_utc TIMESTAMP WITH TIME ZONE NOT NULL,
  chat_kind VARCHAR(16) NOT NULL,
  slice SMALLINT NOT NULL,
  messages BIGINT DEFAULT 0 NOT NULL,
  PRIMARY KEY (hour_utc, chat_kind, slice)
);

-- Chats created per UTC day and kind.
CREATE TABLE analytics_chats_created (
  day_utc DATE NOT NULL,
  chat_kind VARCHAR(16) NOT NULL,
  slice SMALLINT NOT NULL,
  chats BIGINT DEFAULT 0 NOT NULL,
  PRIMARY KEY (day_utc, chat_kind, slice)
);

-- One row per user and UTC day on which the user sent a message, marked messages read or
-- opened a session (registered or logged in). DAU and MAU are counts over it.
CREATE TABLE analytics_active_users (
  day_utc DATE NOT NULL,
  user_id VARCHAR(100) NOT NULL,
  PRIMARY KEY (day_utc, user_id)
);

-- Accounts registered per UTC day.
CREATE TABLE analytics_accounts_daily (
  day_utc DATE NOT NULL PRIMARY KEY,
  accounts BIGINT DEFAULT 0 NOT NULL
);
