package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The collector's figures come from two scrapes of the node's Micrometer meters. */
class GcFiguresTest {
  private static NodeMetrics scrape(double allocated, String pauses) {
    return NodeMetrics.parse("# TYPE jvm_gc_memory_allocated_bytes_total counter\n"
        + "jvm_gc_memory_allocated_bytes_total " + allocated + "\n" + pauses);
  }

  private static String pauses(double youngSeconds, long young, double otherSeconds, long other) {
    return "jvm_gc_pause_seconds_count{action=\"end of minor GC\",cause=\"G1 Evacuation Pause\",gc=\"G1 Young Generation\"} " + young + "\n"
        + "jvm_gc_pause_seconds_sum{action=\"end of minor GC\",cause=\"G1 Evacuation Pause\",gc=\"G1 Young Generation\"} " + youngSeconds + "\n"
        + "jvm_gc_pause_seconds_count{action=\"end of minor GC\",cause=\"Metadata GC Threshold\",gc=\"G1 Young Generation\"} " + other + "\n"
        + "jvm_gc_pause_seconds_sum{action=\"end of minor GC\",cause=\"Metadata GC Threshold\",gc=\"G1 Young Generation\"} " + otherSeconds + "\n";
  }

  @Test
  void allocationPerMessageAndPausesPerSecondOverTheWindow() {
    NodeMetrics from = scrape(1_000_000_000, pauses(0.5, 10, 0.1, 1));
    // 2,048,000,000 bytes more over 20,000 messages: 100 KiB each; 0.3 s more of pauses in 10 s
    NodeMetrics to = scrape(3_048_000_000.0, pauses(0.7, 14, 0.2, 2));
    Map<String, Object> figures = Measurement.gcFigures(from, to, 20_000, 10);
    assertEquals(100.0, figures.get("node_alloc_kb_per_msg"), figures.toString());
    assertEquals(30.0, figures.get("node_gc_pause_ms_per_s"), figures.toString());
    assertEquals(5L, figures.get("node_gc_pauses"), figures.toString());
  }

  @Test
  void pausesThatBeganInsideTheWindowCountFromZero() {
    // Micrometer registers a pause series at its first pause: absent from the earlier scrape
    Map<String, Object> figures = Measurement.gcFigures(scrape(0, ""), scrape(1024 * 10, pauses(0.02, 2, 0, 0)), 10, 2);
    assertEquals(1.0, figures.get("node_alloc_kb_per_msg"), figures.toString());
    assertEquals(10.0, figures.get("node_gc_pause_ms_per_s"), figures.toString());
    assertEquals(2L, figures.get("node_gc_pauses"), figures.toString());
  }

  @Test
  void aNodeWithoutTheMetersOrAWindowWithoutMessagesGivesNoFigure() {
    NodeMetrics none = NodeMetrics.parse("jvm_threads_live_threads 40\n");
    assertTrue(Measurement.gcFigures(none, none, 100, 1).isEmpty());
    Map<String, Object> idle = Measurement.gcFigures(scrape(0, ""), scrape(5000, ""), 0, 1);
    assertTrue(!idle.containsKey("node_alloc_kb_per_msg") && !idle.containsKey("node_gc_pause_ms_per_s"), idle.toString());
  }
}
