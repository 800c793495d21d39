package org.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.herald.domain.chat.ChatSamples;
import org.herald.domain.common.CborSerializable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The warm-up runs the chat samples through the node's own serializer configuration (every one
 * reads back equal, so none is skipped by a failure that would only be logged), refuses a sample
 * that does not read back as written, and does nothing when turned off.
 */
class SerializationWarmUpTest {
  private static ActorSystem<Void> system;
  private static Config config;

  @BeforeAll
  static void start() {
    // The node's configuration, on a local actor system (no cluster, no ports).
    config = ConfigFactory.parseString("pekko.actor.provider = local").withFallback(HeraldNode.config(TestNodes.base()));
    system = ActorSystem.create(Behaviors.empty(), "warm-up-test", config);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void theNodesDefaultWarmUpReadsEverySampleBackThroughItsSerializer() throws Exception {
    int rounds = config.getInt("herald.warm-up.rounds");
    int messages = config.getInt("herald.warm-up.messages");
    assertTrue(config.getBoolean("herald.warm-up.enabled"), "on by default");
    assertEquals(
        rounds * (messages + 2),
        SerializationWarmUp.run(system, ChatSamples.of(messages, config.getInt("herald.chat.recent-window")), rounds),
        "every event, the ChatCreated and the snapshot, every round");
    SerializationWarmUp.start(system, config).get(60, TimeUnit.SECONDS);
  }

  /** Serializable, but reads back as another object (no equals). */
  public static final class Unequal implements CborSerializable {
    public int value = 1;
  }

  @Test
  void aSampleThatDoesNotReadBackAsWrittenFailsTheWarmUp() {
    var failure = assertThrows(IllegalStateException.class, () -> SerializationWarmUp.run(system, List.of(new Unequal()), 1));
    assertEquals("a Unequal did not read back as written", failure.getMessage());
  }

  @Test
  void turnedOffItIsDoneAtOnce() {
    Config off = ConfigFactory.parseString("herald.warm-up.enabled = off").withFallback(config);
    assertTrue(SerializationWarmUp.start(system, off).isDone());
  }
}
