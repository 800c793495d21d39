package org.herald.testkit;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polling for what is eventually consistent (read models, deliveries): never a fixed sleep. */
public final class Eventually {
  private Eventually() {}

  /** Polls {@code value} every 100 ms until {@code done} holds, for at most 15 s; answers the last value. */
  public static <T> T eventually(Supplier<T> value, Predicate<T> done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    T last = value.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 15 s; last value: " + last);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      last = value.get();
    }
    return last;
  }
}
