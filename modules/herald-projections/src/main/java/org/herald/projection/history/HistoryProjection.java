package org.herald.projection.history;

import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatEvent;
import org.herald.projection.common.TaggedProjections;
import org.herald.projection.common.ReadModel;

/** The history read model: every message and change of every chat, for cold pages. */
public final class HistoryProjection {
  public static final String NAME = "history";

  private HistoryProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    boolean fullRows = fullMessageNewRows(system.settings().config().getString(MESSAGE_NEW_ROWS));
    // content_keys is not ours: the chat entities create keys and a rebuild must never drop them.
    TaggedProjections.<ChatEvent>startGrouped(
        system, NAME, ChatEntity.TAGS, dataSource, ReadModel.owning("chat_messages", "chat_updates"),
        () -> new HistoryProjectionHandler(fullRows));
  }

  static final String MESSAGE_NEW_ROWS = "herald.projections.history.message-new-rows";

  /** {@code lean} or {@code full} (the setting's comment in reference.conf); anything else is refused. */
  static boolean fullMessageNewRows(String setting) {
    return switch (setting) {
      case "lean" -> false;
      case "full" -> true;
      default -> throw new IllegalArgumentException(
          MESSAGE_NEW_ROWS + " must be lean or full, not \"" + setting + "\"");
    };
  }
}
