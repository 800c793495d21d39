package org.herald.domain.common;

/** Names of the pub-sub topics that carry live updates between nodes. */
public final class Topics {
  private Topics() {}

  /** Every change of one chat, for the nodes that hold sockets of its members. */
  public static String chat(String chatId) {
    return "chat:" + chatId;
  }
}
