package org.herald.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * One scrape of a node's operator {@code /metrics} (Prometheus text): the samples by their full
 * name with labels, as written ({@code herald_x_count{entity_type="Chat"}}).
 */
final class NodeMetrics {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<String, Double> samples;

  NodeMetrics(Map<String, Double> samples) {
    this.samples = samples;
  }

  /** The node's metrics now, or null when they cannot be read (a figure is then left out, not guessed). */
  static NodeMetrics scrape(String adminUrl) {
    String body = operatorGet(adminUrl, "/metrics");
    return body == null ? null : parse(body);
  }

  /** The body of a GET of {@code path} on the node's operator port, or null unless it answered 200. */
  static String operatorGet(String adminUrl, String path) {
    try {
      HttpResponse<String> r = HTTP.send(
          HttpRequest.newBuilder(URI.create(adminUrl + path)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static NodeMetrics parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space > 0) {
        try {
          samples.put(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1).trim()));
        } catch (NumberFormatException e) {
          // not a sample line
        }
      }
    }
    return new NodeMetrics(samples);
  }

  /**
   * The {@code q} quantile (0–1), in milliseconds, of what the histogram {@code name} (its samples
   * labelled {@code label="value"}) recorded between {@code earlier} and this scrape, estimated as
   * Prometheus' {@code histogram_quantile} does: linear within the bucket the rank falls in, the
   * highest finite bound when it falls above it. NaN when nothing was recorded in between.
   */
  double quantileSinceMs(NodeMetrics earlier, String name, String label, String value, double q) {
    NavigableMap<Double, Double> since = bucketsSince(earlier, name, label, value);
    double total = since.isEmpty() ? 0 : since.lastEntry().getValue();
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (Map.Entry<Double, Double> b : since.entrySet()) {
      double upper = b.getKey();
      double count = b.getValue();
      if (count >= rank) {
        if (Double.isInfinite(upper)) {
          return lower * 1000;
        }
        double inBucket = count - below;
        return 1000 * (inBucket <= 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket);
      }
      lower = upper;
      below = count;
    }
    return lower * 1000;
  }

  /** How many values the histogram {@code name} ({@code label="value"}) recorded between {@code earlier} and now. */
  double countSince(NodeMetrics earlier, String name, String label, String value) {
    NavigableMap<Double, Double> since = bucketsSince(earlier, name, label, value);
    return since.isEmpty() ? 0 : since.lastEntry().getValue();
  }

  /** The cumulative buckets of what the histogram recorded between {@code earlier} and now. */
  private NavigableMap<Double, Double> bucketsSince(NodeMetrics earlier, String name, String label, String value) {
    NavigableMap<Double, Double> then = earlier.buckets(name, label, value);
    NavigableMap<Double, Double> since = buckets(name, label, value);
    since.replaceAll((upper, count) -> count - then.getOrDefault(upper, 0.0));
    return since;
  }

  /**
   * The cumulative buckets of a histogram: upper bound in seconds ({@code +Inf} last) to count,
   * summed over the series that match (when other labels split it).
   */
  private NavigableMap<Double, Double> buckets(String name, String label, String value) {
    String prefix = name + "_bucket{";
    String wanted = label + "=\"" + value + "\"";
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String key = e.getKey();
      int le = key.indexOf("le=\"");
      if (key.startsWith(prefix) && key.contains(wanted) && le > 0) {
        String bound = key.substring(le + 4, key.indexOf('"', le + 4));
        double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
        buckets.merge(upper, e.getValue(), Double::sum);
      }
    }
    return buckets;
  }

  /** The sample of {@code name} whose labels include {@code label="value"}; 0 when absent. */
  double get(String name, String label, String value) {
    String wanted = label + "=\"" + value + "\"";
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(name + "{") && key.contains(wanted)) {
        return e.getValue();
      }
    }
    return 0;
  }

  /**
   * The sum of every series of the counter or gauge {@code name} (with or without labels), or
   * empty when the scrape has none: an older node, or a JVM without the meter.
   */
  OptionalDouble sum(String name) {
    double sum = 0;
    boolean found = false;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String key = e.getKey();
      if (key.equals(name) || key.startsWith(name + "{")) {
        sum += e.getValue();
        found = true;
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }
}
