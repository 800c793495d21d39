package org.herald.domain.chat;

/** A member's role in a chat. Both members of a direct chat are plain members. */
public enum Role {
  OWNER,
  ADMIN,
  MEMBER
}
