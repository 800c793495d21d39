package org.herald.domain.user;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Tells users' entities that they joined or left a chat, at the chat's membership version, a
 * bounded number at a time (a bulk add of thousands must not flood the cluster). The API uses
 * it for the users a request concerns, before answering; the membership-index projection uses
 * it for every membership event, as the guarantee. Each entity ignores repeats and stale
 * versions, so both may deliver the same change.
 */
public final class UserChatIndex {
  /** User entities asked at once. */
  private static final int PARALLELISM = 32;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration timeout;

  public UserChatIndex(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  /** Completes once every user entity has acknowledged; fails if one does not answer in time. */
  public CompletionStage<Done> update(String chatId, List<String> joined, List<String> left, long version) {
    return Source.from(joined)
        .map(id -> new Change(id, true))
        .concat(Source.from(left).map(id -> new Change(id, false)))
        .mapAsyncUnordered(
            PARALLELISM,
            c ->
                UserEntity.ref(sharding, c.userId())
                    .<UserReply>ask(
                        replyTo ->
                            c.joined()
                                ? new UserCommand.RecordChat(chatId, version, replyTo)
                                : new UserCommand.ForgetChat(chatId, version, replyTo),
                        timeout))
        .runWith(Sink.ignore(), system);
  }

  private record Change(String userId, boolean joined) {}
}
