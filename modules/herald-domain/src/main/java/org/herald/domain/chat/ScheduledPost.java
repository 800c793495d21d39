package org.herald.domain.chat;

import java.time.Instant;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.content.Sealed;

/**
 * A post waiting for its time. {@code content} is sealed (bound to the chat and
 * {@code scheduledId}); {@code text} is null at rest and filled in only when opened for a reader.
 */
public record ScheduledPost(
    long scheduledId,
    String authorId,
    String clientMessageId,
    Sealed content,
    String text,
    boolean silent,
    Long replyToMessageId,
    Instant dueAt,
    Instant createdAt,
    Instant editedAt)
    implements CborSerializable {

  public ScheduledPost opened(String plain) {
    return new ScheduledPost(scheduledId, authorId, clientMessageId, null, plain, silent, replyToMessageId, dueAt, createdAt, editedAt);
  }

  ScheduledPost edited(Sealed nextContent, Instant nextDueAt, Instant at) {
    return new ScheduledPost(
        scheduledId, authorId, clientMessageId, nextContent != null ? nextContent : content, null, silent, replyToMessageId,
        nextDueAt, createdAt, at);
  }
}
