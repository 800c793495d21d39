package org.herald.projection.membership;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.chat.ChatEvent.ChatCreated;
import org.herald.domain.chat.ChatEvent.MemberLeft;
import org.herald.domain.chat.ChatEvent.MembersJoined;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;
import org.herald.projection.common.ChatProjections;

/**
 * Keeps every user's chat index (in the user entity) in step with chat membership, from the
 * chat journal. The API records a join or leave in the index at once for the users it concerns
 * (so their sockets follow or drop the chat immediately); this projection guarantees it, even
 * when that fast path was cut short by a crash or a timeout. At-least-once: the offset is stored
 * once every user entity has acknowledged, and the index ignores repeats and stale versions.
 */
public final class MembershipIndexProjection {
  public static final String NAME = "membership-index";

  /** User entities asked at once per event: bounds the burst of a 200,000-member bulk add. */
  private static final int PARALLELISM = 32;

  private MembershipIndexProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    Duration timeout = system.settings().config().getDuration("herald.projections.membership-index.ask-timeout");
    ChatProjections.startAsync(system, NAME, dataSource, () -> new IndexHandler(system, timeout));
  }

  static final class IndexHandler extends Handler<EventEnvelope<ChatEvent>> {
    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Duration timeout;

    IndexHandler(ActorSystem<?> system, Duration timeout) {
      this.system = system;
      this.sharding = ClusterSharding.get(system);
      this.timeout = timeout;
    }

    @Override
    public CompletionStage<Done> process(EventEnvelope<ChatEvent> envelope) {
      ChatEvent event = envelope.event();
      if (event instanceof ChatCreated e) {
        return each(e.memberIds(), id -> new Ask(id, replyTo -> new UserCommand.RecordChat(e.chatId(), 1, replyTo)));
      } else if (event instanceof MembersJoined e) {
        return each(e.userIds(), id -> new Ask(id, replyTo -> new UserCommand.RecordChat(e.chatId(), e.version(), replyTo)));
      } else if (event instanceof MemberLeft e) {
        return each(List.of(e.userId()), id -> new Ask(id, replyTo -> new UserCommand.ForgetChat(e.chatId(), e.version(), replyTo)));
      } else {
        // Messages, reads, roles, edits, bans and invites do not change who is in the chat.
        return CompletableFuture.completedFuture(Done.getInstance());
      }
    }

    private record Ask(
        String userId,
        java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<UserReply>, UserCommand> command) {}

    private CompletionStage<Done> each(List<String> userIds, java.util.function.Function<String, Ask> ask) {
      return Source.from(userIds)
          .mapAsyncUnordered(
              PARALLELISM,
              id -> {
                Ask a = ask.apply(id);
                return UserEntity.ref(sharding, a.userId()).ask(a.command()::apply, timeout);
              })
          .runWith(Sink.ignore(), system);
    }
  }
}
