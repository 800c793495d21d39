package org.herald.api.chat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.user.UserCommand;
import org.herald.domain.user.UserEntity;
import org.herald.domain.user.UserReply;

/**
 * The fast path of the user chat index: after a membership change, the API records it in the
 * users' entities before answering, so their sockets follow (or drop) the chat at once. The
 * membership-index projection is the guarantee behind it; both are ordered by the chat's
 * membership version, so whichever arrives second is a no-op.
 */
final class MembershipIndex {
  private static final int PARALLELISM = 32;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration timeout;

  MembershipIndex(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  CompletionStage<Done> apply(String chatId, ChatReply.MembershipChanged change) {
    return Source.from(change.joined())
        .map(id -> new Change(id, true))
        .concat(Source.from(change.left()).map(id -> new Change(id, false)))
        .mapAsyncUnordered(
            PARALLELISM,
            c ->
                UserEntity.ref(sharding, c.userId())
                    .<UserReply>ask(
                        replyTo ->
                            c.joined()
                                ? new UserCommand.RecordChat(chatId, change.version(), replyTo)
                                : new UserCommand.ForgetChat(chatId, change.version(), replyTo),
                        timeout))
        .runWith(Sink.ignore(), system);
  }

  CompletionStage<Done> recordAll(String chatId, List<String> userIds, long version) {
    return apply(chatId, new ChatReply.MembershipChanged(userIds, List.of(), 0, version));
  }

  private record Change(String userId, boolean joined) {}
}
