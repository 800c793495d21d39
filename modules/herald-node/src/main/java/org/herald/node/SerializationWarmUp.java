package org.herald.node;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.herald.domain.chat.ChatSamples;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs made-up chat events and a chat snapshot ({@link ChatSamples}) through the node's
 * serializer, both ways, a few times, before the node says it is ready ({@code herald.warm-up}).
 *
 * <p>A chat that recovers reads its snapshot (a window of 500 updates) and replays the events
 * after it, up to 599. In a freshly started JVM that code runs interpreted: reading 500 events
 * took 95 ms the first time, 31 and 15 ms the next two and 7 ms from the fourth (JDK 17, one
 * measurement), so the first chats recovered after a start spent up to 0.3 ms per replayed
 * event (docs/benchmarks.md, stop 32). Here it is run on a thread of its own while the cluster
 * forms, so that compiled code serves the first users. A failure is logged and the node starts
 * anyway: the warm-up only saves time.
 */
final class SerializationWarmUp {
  private static final Logger log = LoggerFactory.getLogger(SerializationWarmUp.class);

  private SerializationWarmUp() {}

  /** Starts the warm-up (when {@code herald.warm-up.enabled}); completes when it is over. */
  static CompletableFuture<Void> start(ActorSystem<?> system, Config config) {
    if (!config.getBoolean("herald.warm-up.enabled")) {
      return CompletableFuture.completedFuture(null);
    }
    int rounds = config.getInt("herald.warm-up.rounds");
    int messages = config.getInt("herald.warm-up.messages");
    int window = config.getInt("herald.chat.recent-window");
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              long start = System.nanoTime();
              try {
                int n = run(system, ChatSamples.of(messages, window), rounds);
                log.info("Warm-up: {} chat events and snapshots serialized and read back in {} ms", n, (System.nanoTime() - start) / 1_000_000);
              } catch (RuntimeException e) {
                log.warn("Warm-up failed (the node starts anyway): {}", e.toString());
              } finally {
                done.complete(null);
              }
            },
            "herald-warm-up");
    thread.setDaemon(true);
    thread.start();
    return done;
  }

  /**
   * Serializes each sample and reads it back, {@code rounds} times; how many it read back. Fails
   * if one does not come back equal to what was written.
   */
  static int run(ActorSystem<?> system, List<Object> samples, int rounds) {
    Serialization serialization = SerializationExtension.get(system);
    int n = 0;
    for (int round = 0; round < rounds; round++) {
      for (Object sample : samples) {
        Serializer serializer = serialization.findSerializerFor(sample);
        byte[] bytes = serialization.serialize(sample).get();
        Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, sample)).get();
        if (!back.equals(sample)) {
          throw new IllegalStateException("a " + sample.getClass().getSimpleName() + " did not read back as written");
        }
        n++;
      }
    }
    return n;
  }
}
