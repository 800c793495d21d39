package org.herald.projection.membership;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.user.UserChatIndex;
import org.herald.projection.common.TaggedProjections;
import org.herald.projection.common.ReadModel;

/**
 * Keeps every user's chat index (in the user entity) in step with chat membership, from the
 * chat journal. The API records a join or leave in the index at once for the users it concerns
 * (so their sockets follow or drop the chat immediately); this projection guarantees it, even
 * when that fast path was cut short by a crash or a timeout. At-least-once: the offset is stored
 * once every user entity has acknowledged, and the index ignores repeats and stale versions.
 */
public final class MembershipIndexProjection {
  public static final String NAME = "membership-index";

  private MembershipIndexProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    Duration timeout = system.settings().config().getDuration("herald.projections.membership-index.ask-timeout");
    // Owns no table: its effects are the user entities' chat indexes, where a repeat or a stale
    // version changes nothing. A rebuild therefore only replays (every membership event asks its
    // members' entities again) and repairs an index that drifted.
    TaggedProjections.startAsync(system, NAME, dataSource, ReadModel.owning(), () -> new IndexHandler(system, timeout));
  }

  static final class IndexHandler extends Handler<EventEnvelope<ChatEvent>> {
    private final UserChatIndex index;

    IndexHandler(ActorSystem<?> system, Duration timeout) {
      this.index = new UserChatIndex(system, timeout);
    }

    @Override
    public CompletionStage<Done> process(EventEnvelope<ChatEvent> envelope) {
      ChatEvent event = envelope.event();
      if (event instanceof ChatCreated e) {
        return index.update(e.chatId(), e.memberIds(), List.of(), 1);
      } else if (event instanceof MembersJoined e) {
        return index.update(e.chatId(), e.userIds(), List.of(), e.version());
      } else if (event instanceof MemberLeft e) {
        return index.update(e.chatId(), List.of(), List.of(e.userId()), e.version());
      } else {
        // Messages, reads, roles, edits, bans and invites do not change who is in the chat.
        return CompletableFuture.completedFuture(Done.getInstance());
      }
    }
  }
}
