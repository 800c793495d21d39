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
    // content_keys is not ours: the chat entities create keys and a rebuild must never drop them.
    TaggedProjections.<ChatEvent>startGrouped(
        system, NAME, ChatEntity.TAGS, dataSource, ReadModel.owning("chat_messages", "chat_updates"),
        HistoryProjectionHandler::new);
  }
}
