package org.herald.loadgen;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one machine-readable line per scenario on stdout:
 * {@code bench: scenario=pairs herald_per_s=N delivered_per_s=N ceiling_per_s=N ratio=X p50_ms=X
 * p99_ms=X}. Fields are {@code key=value} without spaces; the ceiling and the ratio
 * (herald/ceiling) stand after the scenario's rates, before its latencies, and only when the
 * run knows a ceiling and the scenario a rate to compare.
 */
public final class ResultLine {
  public static final String PREFIX = "bench: ";

  private ResultLine() {}

  public static String format(String scenario, Map<String, String> fields, Double heraldPerSecond, Double ceilingPerSecond) {
    StringBuilder s = new StringBuilder(PREFIX).append("scenario=").append(scenario);
    boolean ceilingDone = heraldPerSecond == null || ceilingPerSecond == null || !(ceilingPerSecond > 0);
    for (Map.Entry<String, String> f : fields.entrySet()) {
      if (!ceilingDone && !f.getKey().endsWith("_per_s")) {
        appendCeiling(s, heraldPerSecond, ceilingPerSecond);
        ceilingDone = true;
      }
      s.append(' ').append(f.getKey()).append('=').append(f.getValue());
    }
    if (!ceilingDone) {
      appendCeiling(s, heraldPerSecond, ceilingPerSecond);
    }
    return s.toString();
  }

  private static void appendCeiling(StringBuilder s, double herald, double ceiling) {
    s.append(" ceiling_per_s=").append(perSecond(ceiling)).append(" ratio=").append(thousandths(herald / ceiling));
  }

  /** A rate as a whole number. */
  public static String perSecond(double value) {
    return Long.toString(Math.round(value));
  }

  /** A number with three decimals. */
  public static String thousandths(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  /** Microseconds as milliseconds with three decimals (microsecond precision). */
  public static String millis(long micros) {
    return thousandths(micros / 1000.0);
  }

  /** The fields of a line this class wrote, {@code scenario} first; null when it is no result line. */
  public static Map<String, String> parse(String line) {
    if (!line.startsWith(PREFIX)) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : line.substring(PREFIX.length()).trim().split(" +")) {
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        return null;
      }
      out.put(part.substring(0, eq), part.substring(eq + 1));
    }
    return out.containsKey("scenario") ? out : null;
  }
}
