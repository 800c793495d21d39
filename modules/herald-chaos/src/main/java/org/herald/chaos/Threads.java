package org.herald.chaos;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads and an interruptible sleep: small helpers every part of the run uses. */
public final class Threads {
  private Threads() {}

  public static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "chaos-" + prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, "chaos-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Sleeps; false when interrupted (the interrupt flag is kept). */
  public static boolean sleep(Duration d) {
    return sleep(d.toMillis());
  }

  public static boolean sleep(long millis) {
    if (millis <= 0) {
      return true;
    }
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
