package org.herald.domain.common;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * {@code herald.entity.recovery.duration{entity_type}}: how long a persistent entity took from
 * its start to its recovery completed (snapshot read and deserialized, the events after it
 * replayed), as a histogram with buckets. A cold entity answers its first command only after
 * this; docs/operations.md.
 */
public final class RecoveryTimes {
  private RecoveryTimes() {}

  /** The timer of one entity type, on the system's registry (one meter, shared by every entity). */
  public static Timer timer(ActorSystem<?> system, String entityType) {
    return Metrics.latencyHistogram(
        Metrics.get(system).registry(),
        "herald.entity.recovery.duration",
        "Time from a persistent entity's start to its recovery completed (snapshot read, events after it replayed)",
        Duration.ofSeconds(30),
        "entity_type",
        entityType);
  }

  /** Records the time since {@code startedNanos} ({@link System#nanoTime()} at the entity's start). */
  public static void recordSince(Timer timer, long startedNanos) {
    timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }
}
