package org.herald.api.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.herald.api.common.ApiException;
import org.herald.api.common.Chats;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatEntity;
import org.herald.domain.chat.ChatReply;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Rejection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SendBatching} against a sharded stand-in for the chat that answers only when the test
 * says so: what a chat receives while it is busy, and what each client gets back.
 */
class SendBatchingTest {
  static ActorTestKit kit;
  static TestProbe<ChatCommand> chat;
  static SendBatching batching;

  static final String CHAT = "g" + "a".repeat(16);
  static final Instant T = Instant.parse("2026-12-07T12:00:00Z");

  @BeforeAll
  static void start() {
    kit =
        ActorTestKit.create(
            ConfigFactory.parseString(
                    "pekko.actor.provider = cluster\n"
                        + "pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
                .withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    chat = kit.createTestProbe(ChatCommand.class);
    ClusterSharding sharding = ClusterSharding.get(kit.system());
    sharding.init(
        Entity.of(
            ChatEntity.ENTITY_TYPE_KEY,
            ctx ->
                Behaviors.receiveMessage(
                    cmd -> {
                      chat.getRef().tell(cmd);
                      return Behaviors.same();
                    })));
    batching = new SendBatching(new Chats(sharding, Duration.ofSeconds(20)), 32, Duration.ofMillis(800), new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static ChatCommand.SendMessage send(String clientMessageId) {
    return new ChatCommand.SendMessage("u" + "b".repeat(16), clientMessageId, "text " + clientMessageId, false, null, null);
  }

  static ChatReply.MessageAccepted accepted(long id) {
    return new ChatReply.MessageAccepted(id, id, T, false);
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendsThatArriveWhileOneIsInFlightGoTogetherInOrderAndEachGetsItsOwnAnswer() throws Exception {
    var first = batching.send(CHAT, send("1")).toCompletableFuture();
    var single = chat.expectMessageClass(ChatCommand.SendMessage.class, Duration.ofSeconds(10));
    assertEquals("1", single.clientMessageId());
    var second = batching.send(CHAT, send("2")).toCompletableFuture();
    var third = batching.send(CHAT, send("3")).toCompletableFuture();
    var fourth = batching.send(CHAT, send("4")).toCompletableFuture();
    chat.expectNoMessage(Duration.ofMillis(200));

    single.replyTo().tell(accepted(1));
    assertEquals(1, await(first).messageId());
    var batch = chat.expectMessageClass(ChatCommand.SendMessages.class, Duration.ofSeconds(10));
    assertEquals(List.of("2", "3", "4"), batch.sends().stream().map(ChatCommand.SendMessage::clientMessageId).toList());
    var fifth = batching.send(CHAT, send("5")).toCompletableFuture();
    chat.expectNoMessage(Duration.ofMillis(200));

    batch.replyTo()
        .tell(
            ChatReply.SendsAnswered.of(
                List.of(accepted(2), new ChatReply.Rejected(Rejection.onField(ErrorCode.TEXT_EMPTY, "text", "text must not be empty")), accepted(3))));
    assertEquals(2, await(second).messageId());
    var rejected = assertThrows(ExecutionException.class, () -> await(third));
    var error = assertInstanceOf(ApiException.class, rejected.getCause());
    assertEquals(List.of(400, "TEXT_EMPTY"), List.of(error.status().intValue(), error.reason()), "the rejection of its own send, as a lone send gets it");
    assertEquals(3, await(fourth).messageId());

    var last = chat.expectMessageClass(ChatCommand.SendMessage.class, Duration.ofSeconds(10));
    assertEquals("5", last.clientMessageId(), "a lone waiting send goes as a single send");
    last.replyTo().tell(accepted(4));
    assertEquals(4, await(fifth).messageId());
  }

  @Test
  void aSendThatWaitedPastTheTimeoutFailsAndIsNeverSent() throws Exception {
    String other = "g" + "c".repeat(16);
    var first = batching.send(other, send("a")).toCompletableFuture();
    var single = chat.expectMessageClass(ChatCommand.SendMessage.class, Duration.ofSeconds(10));
    var stale = batching.send(other, send("b")).toCompletableFuture();
    var failure = assertThrows(ExecutionException.class, () -> await(stale));
    assertInstanceOf(TimeoutException.class, failure.getCause());
    var fresh = batching.send(other, send("c")).toCompletableFuture();

    single.replyTo().tell(accepted(1));
    assertEquals(1, await(first).messageId());
    var next = chat.expectMessageClass(ChatCommand.SendMessage.class, Duration.ofSeconds(10));
    assertEquals("c", next.clientMessageId(), "the send that timed out is skipped");
    next.replyTo().tell(accepted(2));
    assertEquals(2, await(fresh).messageId());
    chat.expectNoMessage(Duration.ofMillis(200));
    assertTrue(first.isDone());
  }
}
