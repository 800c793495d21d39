package org.herald.domain;

import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.common.Metrics;
import org.herald.domain.common.Publisher;
import org.herald.domain.common.ShardingMetrics;
import org.herald.domain.content.ContentKeys;
import org.herald.domain.handle.HandleEntity;
import org.herald.domain.user.UserEntity;
import org.herald.domain.views.PostViews;

/** Registers every sharded entity of the domain on this node, and the gauges of what it hosts. */
public final class Domain {
  private Domain() {}

  public static void init(ActorSystem<?> system, Clock clock, Publisher publisher, ContentKeys contentKeys) {
    UserEntity.init(system, clock, publisher);
    HandleEntity.init(system, clock);
    ChatEntity.init(system, clock, publisher, contentKeys);
    PostViews.init(system, clock);
    system.systemActorOf(
        ShardingMetrics.create(
            Metrics.get(system).registry(), system.settings().config().getDuration("herald.metrics.refresh-interval")),
        "sharding-metrics",
        Props.empty());
  }
}
