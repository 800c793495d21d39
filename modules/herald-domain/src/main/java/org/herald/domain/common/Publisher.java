package org.herald.domain.common;

/**
 * Where entities announce what just became durable, for live delivery. Topics are named by
 * {@link Topics}. The node wires this to Pekko distributed pub-sub; entity tests use a probe.
 * Publishing is fire-and-forget: a lost notification is repaired by the client's catch-up
 * through {@code pts}, never by the entity.
 */
@FunctionalInterface
public interface Publisher {
  void publish(String topic, CborSerializable notification);

  Publisher NONE = (topic, notification) -> {};
}
