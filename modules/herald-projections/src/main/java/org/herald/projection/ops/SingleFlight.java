package org.herald.projection.ops;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One blocking probe in flight at a time: a caller arriving while one runs gets its answer
 * instead of starting another. A database that hangs then holds one thread, however often the
 * node is probed.
 */
final class SingleFlight<T> {
  private final AtomicReference<CompletableFuture<T>> running = new AtomicReference<>();

  CompletionStage<T> run(Executor executor, Callable<T> probe) {
    CompletableFuture<T> mine = new CompletableFuture<>();
    CompletableFuture<T> other = running.compareAndExchange(null, mine);
    if (other != null) {
      return other;
    }
    try {
      executor.execute(
          () -> {
            try {
              T value = probe.call();
              running.set(null);
              mine.complete(value);
            } catch (Exception | Error e) {
              running.set(null);
              mine.completeExceptionally(e);
            }
          });
    } catch (RuntimeException rejected) {
      running.set(null);
      mine.completeExceptionally(rejected);
    }
    return mine;
  }
}
