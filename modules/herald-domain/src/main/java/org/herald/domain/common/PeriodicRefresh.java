package org.herald.domain.common;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An actor that refreshes gauges: every {@code interval} (the first time at once) it starts
 * {@code read}, at most one in flight, and hands the result to {@code apply} on the actor's
 * thread; a failed read is logged and the gauges keep their last values. A scrape therefore
 * never waits for the database or a shard region. Used by the lag, outbox and sharding meters.
 */
public final class PeriodicRefresh {
  private PeriodicRefresh() {}

  /** The actor's messages (internal). */
  public interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Refreshed<T>(T value, Throwable failure) implements Command {}

  public static <T> Behavior<Command> create(String what, Duration interval, Supplier<CompletionStage<T>> read, Consumer<T> apply) {
    return Behaviors.supervise(
            Behaviors.<Command>setup(
                ctx ->
                    Behaviors.withTimers(
                        timers -> {
                          timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                          boolean[] inFlight = {false};
                          return Behaviors.receive(Command.class)
                              .onMessageEquals(
                                  Tick.INSTANCE,
                                  () -> {
                                    if (!inFlight[0]) {
                                      inFlight[0] = true;
                                      ctx.pipeToSelf(read.get(), Refreshed<T>::new);
                                    }
                                    return Behaviors.same();
                                  })
                              .onMessage(
                                  Refreshed.class,
                                  r -> {
                                    inFlight[0] = false;
                                    if (r.failure() != null) {
                                      ctx.getLog().warn("cannot read {}: {}", what, r.failure().getMessage());
                                    } else {
                                      @SuppressWarnings("unchecked")
                                      T value = (T) r.value();
                                      apply.accept(value);
                                    }
                                    return Behaviors.same();
                                  })
                              .build();
                        })))
        .onFailure(SupervisorStrategy.restart());
  }
}
