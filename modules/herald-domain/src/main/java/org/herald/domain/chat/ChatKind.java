package org.herald.domain.chat;

/** What a chat is. Groups and channels arrive with their own rules; the entity is shared. */
public enum ChatKind {
  DIRECT,
  GROUP,
  CHANNEL
}
