package org.herald.domain.views;

import org.herald.domain.chat.MemberSet;
import org.herald.domain.common.CborSerializable;

/** Who has seen a post: about 16 bytes per viewer in memory, 12 in a snapshot. */
public record ViewsState(MemberSet viewers) implements CborSerializable {
  public ViewsState {
    if (viewers == null) {
      viewers = MemberSet.empty();
    }
  }

  public long views() {
    return viewers.size();
  }
}
