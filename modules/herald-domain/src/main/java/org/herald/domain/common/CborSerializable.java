package org.herald.domain.common;

/**
 * Marker for everything that crosses a process boundary or enters the journal: commands,
 * replies, events, state snapshots and published notifications. Bound to Jackson CBOR in this
 * module's {@code reference.conf}, so every process that loads the domain serializes alike.
 */
public interface CborSerializable {}
