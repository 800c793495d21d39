package org.herald.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

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
    try {
      HttpResponse<String> r = HTTP.send(
          HttpRequest.newBuilder(URI.create(adminUrl + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? parse(r.body()) : null;
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
}
