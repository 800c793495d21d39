package org.herald.domain.chat;

/**
 * Chat ids. A direct chat's id is derived from its two members, ordered, so the same two users
 * always reach the same single entity: no lookup table, no race on creation.
 */
public final class ChatIds {
  private ChatIds() {}

  public static String direct(String userA, String userB) {
    return userA.compareTo(userB) < 0 ? "d-" + userA + "-" + userB : "d-" + userB + "-" + userA;
  }
}
