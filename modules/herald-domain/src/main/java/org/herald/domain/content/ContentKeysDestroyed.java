package org.herald.domain.content;

import java.util.List;
import org.herald.domain.common.CborSerializable;

/** Sent to every other node when data keys are destroyed: their caches forget them at once. */
public record ContentKeysDestroyed(List<String> keyIds) implements CborSerializable {
  public ContentKeysDestroyed {
    keyIds = List.copyOf(keyIds);
  }
}
