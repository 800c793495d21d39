package org.herald.projection.dialogs;

import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.herald.domain.chat.ChatEntity;
import org.herald.projection.common.TaggedProjections;
import org.herald.projection.common.ReadModel;

/** The dialogs read model: each user's chats with last message, unread count and pts. */
public final class DialogsProjection {
  public static final String NAME = "dialogs";

  private DialogsProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    TaggedProjections.startGrouped(
        system,
        NAME,
        ChatEntity.TAGS,
        dataSource,
        ReadModel.owning("dialog_chats", "dialog_members", "dialog_departures"),
        DialogsProjectionHandler::new);
  }
}
