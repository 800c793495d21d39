package org.herald.loadgen;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a scenario measured. {@code figures} are every named number, in the order the table and
 * results.json show them; {@code line} the fields of the one machine-readable line (without
 * {@code scenario=}, which the line adds, nor {@code ceiling_per_s}/{@code ratio}, which it adds
 * from the run's ceiling when {@code heraldPerSecond} is known); {@code latencies} the
 * histograms (microseconds) by name, like "send→ack"; {@code series} one row a second.
 *
 * @param heraldPerSecond the scenario's durable messages per second, compared with the ceiling;
 *     null when it has none (wire)
 */
public record ScenarioResult(
    String scenario,
    Map<String, Object> figures,
    Map<String, String> line,
    Map<String, Histogram> latencies,
    List<Map<String, Object>> series,
    Double heraldPerSecond) {

  public ScenarioResult {
    figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    line = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(line));
    latencies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(latencies));
    series = List.copyOf(series);
  }

  /** The same result with one more figure, after the others. */
  public ScenarioResult withFigure(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(figures);
    more.put(name, value);
    return new ScenarioResult(scenario, more, line, latencies, series, heraldPerSecond);
  }

  /** The machine-readable line, given the run's ceiling (rows/s) or null. */
  public String resultLine(Double ceilingPerSecond) {
    return ResultLine.format(scenario, line, heraldPerSecond, ceilingPerSecond);
  }
}
