package org.herald.api.sync;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import org.herald.api.common.ApiException;
import org.herald.projection.sync.SyncRepository;

/**
 * The opaque state a device keeps between difference calls: the journal position it has seen
 * everything up to ({@code since}), and, within a paged answer, the position the answer is
 * heading for ({@code target}) and where the next page starts.
 */
public record SyncState(long since, long target, long cursorPosition, String cursorChat) {
  private static final String PREFIX = "s1.";

  static SyncState at(long position) {
    return new SyncState(position, position, 0, "");
  }

  /** The state of "everything up to the current watermark", for a device to start from. */
  public static CompletionStage<String> current(SyncRepository sync) {
    return sync.watermark().thenApply(position -> at(position).encode());
  }

  /**
   * Within a paged answer: the state names where the next page starts, and the pass keeps its
   * target, even one no later than {@code since} (the watermark had not moved on when the pass
   * began). Such a pass once counted as a fresh difference that kept the stale cursor, so the
   * chats it had left for a later pass (their change lies past the target) were skipped for good.
   */
  boolean paging() {
    return cursorPosition > 0 || !cursorChat.isEmpty();
  }

  String encode() {
    String raw = since + ":" + target + ":" + cursorPosition + ":" + cursorChat;
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static SyncState decode(String token) {
    ApiException bad = ApiException.badRequest("state is malformed: use a state returned by GET /v1/updates/state, /v1/dialogs or a difference");
    if (token == null || !token.startsWith(PREFIX) || token.length() > 300) {
      throw bad;
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token.substring(PREFIX.length())), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", -1);
      if (parts.length != 4) {
        throw bad;
      }
      long since = Long.parseLong(parts[0]);
      long target = Long.parseLong(parts[1]);
      long cursor = Long.parseLong(parts[2]);
      if (since < 0 || target < since || cursor < 0 || parts[3].length() > 80) {
        throw bad;
      }
      return new SyncState(since, target, cursor, parts[3]);
    } catch (IllegalArgumentException e) {
      throw bad;
    }
  }
}
