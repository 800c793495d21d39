package org.herald.loadgen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of a scenario: throughput per second over the run, and the latency percentile
 * distribution the HdrHistogram way, its x axis {@code 1/(1-p)} on a log scale so that 90%,
 * 99%, 99.9% and 99.99% are evenly apart.
 */
final class Charts {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 560;

  private Charts() {}

  /** Writes the scenario's charts into {@code dir}; their file names. */
  static List<String> write(ScenarioResult r, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> files = new ArrayList<>();
    if (!r.series().isEmpty()) {
      String name = r.scenario() + "-throughput.png";
      ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), throughput(r), WIDTH, HEIGHT);
      files.add(name);
    }
    if (r.latencies().values().stream().anyMatch(h -> h.getTotalCount() > 0)) {
      String name = r.scenario() + "-latency.png";
      ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), latency(r), WIDTH, HEIGHT);
      files.add(name);
    }
    return files;
  }

  private static JFreeChart throughput(ScenarioResult r) {
    XYSeriesCollection data = new XYSeriesCollection();
    // Every count of a row (not the second, the warm-up flag or the latency columns).
    List<String> keys = r.series().get(0).entrySet().stream()
        .filter(e -> e.getValue() instanceof Number && !e.getKey().equals("second") && !e.getKey().endsWith("_ms"))
        .map(Map.Entry::getKey)
        .toList();
    for (String key : keys) {
      XYSeries s = new XYSeries(key + "/s");
      for (Map<String, Object> row : r.series()) {
        s.add(((Number) row.get("second")).doubleValue(), ((Number) row.get(key)).doubleValue());
      }
      data.addSeries(s);
    }
    return ChartFactory.createXYLineChart(
        r.scenario() + ": per second (warm-up included)", "seconds since start", "messages (ceiling: rows) per second", data,
        PlotOrientation.VERTICAL, true, false, false);
  }

  private static JFreeChart latency(ScenarioResult r) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, Histogram> h : r.latencies().entrySet()) {
      XYSeries s = new XYSeries(h.getKey());
      for (HistogramIterationValue v : h.getValue().percentiles(5)) {
        double p = v.getPercentileLevelIteratedTo() / 100.0;
        if (p >= 0.99999) {
          break;
        }
        s.add(1 / (1 - p), v.getValueIteratedTo() / 1000.0);
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(
        r.scenario() + ": latency by percentile", "percentile", "milliseconds", data, PlotOrientation.VERTICAL, true, false,
        false);
    LogAxis x = new LogAxis("percentile (0%, 90%, 99%, 99.9%, 99.99%)");
    x.setBase(10);
    x.setTickUnit(new NumberTickUnit(1));
    x.setRange(1, 10_000);
    x.setNumberFormatOverride(new java.text.DecimalFormat("0") {
      @Override
      public StringBuffer format(double number, StringBuffer to, java.text.FieldPosition pos) {
        return to.append(percentLabel(number));
      }
    });
    ((XYPlot) chart.getPlot()).setDomainAxis(x);
    return chart;
  }

  /** 1 → "0%", 10 → "90%", 100 → "99%", 1000 → "99.9%". */
  static String percentLabel(double x) {
    double p = 100 * (1 - 1 / x);
    String s = String.format(java.util.Locale.ROOT, "%.4f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
    return s + "%";
  }
}
