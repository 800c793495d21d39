package org.herald.domain.chat;

import java.time.Instant;
import org.herald.domain.common.CborSerializable;

/**
 * A message as members see it. {@code editDate} and {@code replyToMessageId} are null when
 * absent.
 */
public record Message(
    long messageId,
    String senderId,
    String text,
    Instant date,
    Instant editDate,
    boolean silent,
    Long replyToMessageId)
    implements CborSerializable {}
