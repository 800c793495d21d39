package org.herald.loadgen;

import java.util.concurrent.locks.LockSupport;
import org.herald.chaos.Progress;

/**
 * Open loop: {@code --rate} messages per second in total, spread evenly over the users in pairs
 * and sent on a fixed {@link Schedule} whatever the answers do. One pacing thread sends every
 * message that is due straight onto its user's socket (no queue between); latencies count from
 * the scheduled time. Reports the achieved rate and the latency percentiles.
 */
final class RateScenario implements Scenario {
  /** The longest wait, after the load, for the answers to what was sent. */
  private static final long DRAIN_MS = 10_000;

  @Override
  public String name() {
    return "rate";
  }

  @Override
  public String summary() {
    return "open loop: --rate msg/s on a fixed schedule, latency from the intended send time";
  }

  @Override
  public ScenarioResult run(BenchContext context) {
    BenchOptions o = context.options();
    Measurement m = context.newMeasurement();
    BenchContext.Pairs pairs = context.pairs(name(), o.users(), (user, frame) -> LoadFrames.record(m, user.userId(), frame, System.nanoTime()));
    try (Progress p = context.progress(() -> m.progress(name()))) {
      m.start();
      Schedule schedule = new Schedule(m.startNanos(), o.rate(), o.users());
      long k = 0;
      while (true) {
        long now = System.nanoTime();
        // Read each time: the end moves later while the warm-up waits for the node's JIT.
        long end = m.endNanos();
        if (now - end >= 0) {
          break;
        }
        long due = schedule.dueBy(now);
        for (; k < due; k++) {
          int user = schedule.userOf(k);
          if (!pairs.herd().open(user)) {
            m.error("socket closed");
            continue;
          }
          m.sent();
          if (!pairs.herd().send(user, LoadFrames.send(pairs.chatOf(user), schedule.intendedNanos(k), k))) {
            m.error("socket closed");
          }
        }
        long wait = schedule.intendedNanos(k) - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(Math.min(wait, end - System.nanoTime()));
        }
      }
      m.drainAndStop(DRAIN_MS);
    } finally {
      pairs.closeAll();
    }
    return PairsScenario.result(name(), m, o, o.rate());
  }
}
