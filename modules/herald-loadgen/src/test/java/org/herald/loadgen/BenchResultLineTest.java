package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchResultLineTest {
  private static Map<String, String> fields() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("herald_per_s", "9000");
    f.put("delivered_per_s", "8990");
    f.put("p50_ms", "1.250");
    f.put("p99_ms", "7.000");
    return f;
  }

  @Test
  void withoutACeilingTheLineIsTheScenarioFields() {
    assertEquals("bench: scenario=pairs herald_per_s=9000 delivered_per_s=8990 p50_ms=1.250 p99_ms=7.000",
        ResultLine.format("pairs", fields(), 9000.0, null));
  }

  @Test
  void aKnownCeilingStandsAfterTheRatesWithTheRatio() {
    String line = ResultLine.format("pairs", fields(), 9000.0, 36000.4);
    assertEquals("bench: scenario=pairs herald_per_s=9000 delivered_per_s=8990 ceiling_per_s=36000 ratio=0.250"
        + " p50_ms=1.250 p99_ms=7.000", line);
    Map<String, String> parsed = ResultLine.parse(line);
    assertEquals(List.of("scenario", "herald_per_s", "delivered_per_s", "ceiling_per_s", "ratio", "p50_ms", "p99_ms"),
        List.copyOf(parsed.keySet()));
  }

  @Test
  void aScenarioWithoutARateGetsNoRatio() {
    assertEquals("bench: scenario=wire receiver_bytes=204", ResultLine.format("wire", Map.of("receiver_bytes", "204"), null, 5.0));
  }

  @Test
  void millisecondsKeepMicrosecondPrecision() {
    assertEquals("1.234", ResultLine.millis(1234));
    assertEquals("0.001", ResultLine.millis(1));
    assertNull(ResultLine.parse("herald bench: results in x"));
  }
}
