-- History read model (HistoryProjection): every message and every client-visible change of a
-- chat, for pages older than the chat entity's in-memory window.
CREATE TABLE chat_messages (
  chat_id VARCHAR(100) NOT NULL,
  message_id BIGINT NOT NULL,
  pts BIGINT NOT NULL,
  sender_id VARCHAR(100) NOT NULL,
  text VARCHAR NOT NULL,
  sent_at TIMESTAMP WITH TIME ZONE NOT NULL,
  edited_at TIMESTAMP WITH TIME ZONE,
  silent BOOLEAN NOT NULL,
  reply_to_message_id BIGINT,
  PRIMARY KEY (chat_id, message_id)
);

-- body is the update as JSON (the domain's ChatUpdate, with its "type").
CREATE TABLE chat_updates (
  chat_id VARCHAR(100) NOT NULL,
  pts BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  body VARCHAR NOT NULL,
  PRIMARY KEY (chat_id, pts)
);
