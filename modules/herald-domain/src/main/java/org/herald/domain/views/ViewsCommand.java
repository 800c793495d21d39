package org.herald.domain.views;

import org.apache.pekko.actor.typed.ActorRef;
import org.herald.domain.common.CborSerializable;

/** What a post's view counter is asked. */
public sealed interface ViewsCommand extends CborSerializable {

  /** {@code userId} displayed the post; answered with the count once the view is durable. */
  record RecordView(String userId, ActorRef<Counted> replyTo) implements ViewsCommand {}

  /** The current count. */
  record GetViews(ActorRef<Counted> replyTo) implements ViewsCommand {}

  /** Internal: journal the views gathered since the last write, as one event. */
  record Flush() implements ViewsCommand {}

  /** The post's exact count of distinct viewers, every one of them durable. */
  record Counted(long views) implements CborSerializable {}
}
