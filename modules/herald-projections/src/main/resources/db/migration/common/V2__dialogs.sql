-- Dialogs read model (DialogsProjection). One row per chat, updated once per message, and one
-- row per (member, chat), updated only when that member reads: unread counts are derived as
-- last_message_id - read_up_to, never written per member per message.
CREATE TABLE dialog_chats (
  chat_id VARCHAR(100) NOT NULL PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  title VARCHAR(256),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_message_id BIGINT NOT NULL,
  last_message_pts BIGINT,
  last_message_sender VARCHAR(100),
  last_message_text VARCHAR,
  last_message_date TIMESTAMP WITH TIME ZONE,
  last_message_silent BOOLEAN,
  last_message_reply_to BIGINT,
  pts BIGINT NOT NULL,
  last_activity_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE dialog_members (
  user_id VARCHAR(100) NOT NULL,
  chat_id VARCHAR(100) NOT NULL,
  peer_user_id VARCHAR(100),
  read_up_to BIGINT NOT NULL,
  joined_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (user_id, chat_id)
);

CREATE INDEX dialog_members_chat_idx ON dialog_members (chat_id);
