package org.herald.domain.chat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.content.Sealed;

/**
 * A message as members see it. At rest (journal, snapshots, read models) {@code content} holds
 * the text sealed under the message's data key and {@code text} is null; readers open it, and
 * live updates carry {@code text} in the clear with no {@code content}. A deleted message is a
 * tombstone: ids, sender and date stay (pts and messageId numbering has no holes), content is
 * gone and readers never show it. {@code editDate} and {@code replyToMessageId} are null when
 * absent. {@code content} and {@code deleted} were added in v2; {@code fromScheduled} (v3) marks a
 * post published by its schedule.
 */
public record Message(
    long messageId,
    String senderId,
    String text,
    Instant date,
    Instant editDate,
    boolean silent,
    Long replyToMessageId,
    Sealed content,
    boolean deleted,
    boolean fromScheduled)
    implements CborSerializable {

  /** The same message showing {@code plain} and no sealed content (after opening it). */
  public Message opened(String plain) {
    return new Message(messageId, senderId, plain, date, editDate, silent, replyToMessageId, null, deleted, fromScheduled);
  }

  /** All that is known of a message once only its deletion is: its id, and that it is gone. */
  public static Message deletedStub(long messageId) {
    return new Message(messageId, null, null, null, null, false, null, null, true, false);
  }

  /** What remains of a deleted message: who and when, no content. */
  public Message tombstone() {
    return new Message(messageId, senderId, null, date, null, silent, replyToMessageId, null, true, fromScheduled);
  }

  /**
   * True when readers must open {@code content} to show the text. Derived, so never written:
   * messages written before it was ignored carry a {@code sealed} field that readers skip.
   */
  @JsonIgnore
  public boolean isSealed() {
    return content != null;
  }
}
