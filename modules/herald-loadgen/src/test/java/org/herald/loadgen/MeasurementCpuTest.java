package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeasurementCpuTest {
  @Test
  void readsTheCpuWhenTheMeasuredWindowOpensAndWhenItCloses() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    // every reading 100 ticks (1 s of CPU) on from the one before, for the node and the machine
    Measurement m = new Measurement(1, 2, () -> {
      long n = 100L * reads.incrementAndGet();
      return new CpuTime(n, 0, -1, 2 * n);
    });
    m.start();
    while (System.nanoTime() < m.startNanos() + 1_500_000_000L) {
      Thread.sleep(10); // the warm-up second passes (the sampler may be up to half a second late)
    }
    long now = System.nanoTime();
    for (int i = 0; i < 500; i++) {
      m.sent();
      m.ack(now - 1_000_000, now);
    }
    while (System.nanoTime() < m.endNanos() + 300_000_000L) {
      Thread.sleep(10);
    }
    m.stop();
    assertEquals(2, reads.get(), "read once as the window opened and once as it closed");
    Map<String, Object> cpu = m.cpuPerMessage();
    assertEquals(2.0, cpu.get("node_cpu_ms_per_msg"), cpu.toString()); // 1 s over 500 messages
    assertEquals(4.0, cpu.get("machine_cpu_ms_per_msg"), cpu.toString());
    assertTrue(!cpu.containsKey("postgres_cpu_ms_per_msg"), cpu.toString());
  }

  @Test
  void reportsNoCpuWithoutAReader() {
    Measurement m = new Measurement(0, 1);
    m.start();
    m.stop();
    assertEquals(Map.of(), m.cpuPerMessage());
  }
}
