package org.herald.projection.history;

import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.herald.projection.common.ChatProjections;

/** The history read model: every message and change of every chat, for cold pages. */
public final class HistoryProjection {
  public static final String NAME = "history";

  private HistoryProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ChatProjections.start(system, NAME, dataSource, HistoryProjectionHandler::new);
  }
}
