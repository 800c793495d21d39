package org.herald.domain.common;

/**
 * Where entities announce what just became durable, for live delivery. The node wires this to
 * Pekko distributed pub-sub; entity tests record what is published. Publishing is
 * fire-and-forget: a lost chat update is repaired by the client's catch-up through {@code pts},
 * never by the entity.
 */
public interface Publisher {
  /** To the nodes that follow {@code topic} (named by {@link Topics}): chat updates. */
  void publish(String topic, CborSerializable notification);

  /**
   * To every node. For rare, user-level facts (a chat joined, a session ended) that must reach
   * a user's sockets at once, without waiting for a new topic subscription to spread.
   */
  void announce(CborSerializable notification);
}
