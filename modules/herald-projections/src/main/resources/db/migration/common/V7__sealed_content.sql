-- Encryption at rest with crypto-shredding (see ARCHITECTURE.md, "Message content at rest").
-- content_keys holds one data key per message version, wrapped (AES-GCM) by the master key,
-- which never enters the database. Deleting a row shreds the content that key sealed, in the
-- journal, snapshots and read models alike.
CREATE TABLE content_keys (
  key_id VARCHAR(36) NOT NULL PRIMARY KEY,
  wrapped VARCHAR(128) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One row: the fingerprint of the master key that wrapped content_keys, and a probe wrapped by
-- it. A node configured with another master key refuses to start instead of showing garbage.
CREATE TABLE content_key_check (
  id INT NOT NULL PRIMARY KEY,
  fingerprint VARCHAR(32) NOT NULL,
  probe VARCHAR(128) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Read models keep message text only sealed: content is "keyId:base64(nonce|ciphertext|tag)".
-- text stays for rows written before sealing; deleted rows are tombstones without content.
ALTER TABLE chat_messages ALTER COLUMN text DROP NOT NULL;
ALTER TABLE chat_messages ADD COLUMN content VARCHAR;
ALTER TABLE chat_messages ADD COLUMN deleted BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE chat_updates ADD COLUMN message_id BIGINT;
CREATE INDEX chat_updates_message_idx ON chat_updates (chat_id, message_id);
ALTER TABLE dialog_chats ADD COLUMN last_message_content VARCHAR;
ALTER TABLE dialog_chats ADD COLUMN last_message_edited_at TIMESTAMP WITH TIME ZONE;
