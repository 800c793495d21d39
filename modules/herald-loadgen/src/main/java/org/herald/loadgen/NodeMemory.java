package org.herald.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of a node process on this machine: its heap in use right after a full collection
 * ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}: what live objects hold, not garbage
 * waiting for the next cycle), its resident set ({@code VmRSS} in {@code /proc/<pid>/status}) and
 * its live objects by class ({@code GC.class_histogram}), so that a growth can be laid at the door
 * of the classes that grew.
 */
record NodeMemory(long heapUsedKib, long rssKib, Map<String, long[]> classes) {
  private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K");
  private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+)\\s+kB");

  static NodeMemory measure(long pid) {
    Map<String, long[]> classes = classHistogram(jcmd(pid, "GC.class_histogram"));
    jcmd(pid, "GC.run");
    return new NodeMemory(heapUsedKib(jcmd(pid, "GC.heap_info")), rssKib(pid), classes);
  }

  /** {@code GC.class_histogram} (live objects, after a full GC) as class name to {instances, bytes}. */
  static Map<String, long[]> classHistogram(String histogram) {
    Map<String, long[]> classes = new HashMap<>();
    Matcher m = HISTOGRAM_ROW.matcher(histogram);
    while (m.find()) {
      classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
          (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
    }
    return classes;
  }

  /**
   * The classes whose live bytes grew most from {@code before} to this measurement, largest first,
   * as "bytes per unit, instances per unit, class" rows: what each of {@code units} connections costs.
   */
  List<String> grownClasses(NodeMemory before, int units, int top) {
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    for (Map.Entry<String, long[]> e : classes.entrySet()) {
      long[] was = before.classes.getOrDefault(e.getKey(), new long[2]);
      grown.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - was[0], e.getValue()[1] - was[1]}));
    }
    grown.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
    List<String> rows = new ArrayList<>();
    int n = Math.max(1, units);
    for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(top, grown.size()))) {
      rows.add(String.format(Locale.ROOT, "%8.1f B %6.2f x %s", (double) e.getValue()[1] / n,
          (double) e.getValue()[0] / n, e.getKey()));
    }
    return rows;
  }

  /** The used figure of the first heap line of {@code GC.heap_info} (G1, Parallel and Serial alike). */
  static long heapUsedKib(String heapInfo) {
    Matcher m = HEAP_USED.matcher(heapInfo);
    if (!m.find()) {
      throw new IllegalStateException("no heap figure in jcmd GC.heap_info: " + heapInfo);
    }
    return Long.parseLong(m.group(1));
  }

  static long rssKib(long pid) {
    try {
      Matcher m = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
      if (!m.find()) {
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
      }
      return Long.parseLong(m.group(1));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/status: " + e.getMessage(), e);
    }
  }

  private static String jcmd(long pid, String command) {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    try {
      Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run jcmd: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
