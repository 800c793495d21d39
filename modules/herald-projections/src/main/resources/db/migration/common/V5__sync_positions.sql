-- Positions for GET /v1/updates/difference: the journal ordering of each chat's last numbered
-- change, of each membership's start, of each update, and the departures of users from chats.
ALTER TABLE dialog_chats ADD COLUMN changed_seq BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE dialog_members ADD COLUMN joined_seq BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE chat_updates ADD COLUMN seq BIGINT DEFAULT 0 NOT NULL;

CREATE TABLE dialog_departures (
  user_id VARCHAR(100) NOT NULL,
  chat_id VARCHAR(100) NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (user_id, chat_id)
);
