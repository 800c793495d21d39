-- Groups and channels in the dialogs read model: the chat's @username and visibility, and each
-- member's role ('owner', 'admin', 'member').
ALTER TABLE dialog_chats ADD COLUMN username VARCHAR(32);
ALTER TABLE dialog_chats ADD COLUMN is_public BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE dialog_members ADD COLUMN role VARCHAR(16) DEFAULT 'member' NOT NULL;
