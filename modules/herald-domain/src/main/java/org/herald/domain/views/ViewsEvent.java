package org.herald.domain.views;

import java.time.Instant;
import java.util.List;
import org.herald.domain.common.CborSerializable;

/** The journal schema of a post's views. Names and packages are part of the schema. */
public sealed interface ViewsEvent extends CborSerializable {

  /**
   * These users saw message {@code messageId} of chat {@code chatId} for the first time. Every
   * user appears at most once in the whole journal of a post, so the count is the sum of sizes.
   */
  record ViewsRecorded(String chatId, long messageId, List<String> userIds, Instant date) implements ViewsEvent {
    public ViewsRecorded {
      userIds = List.copyOf(userIds);
    }
  }
}
