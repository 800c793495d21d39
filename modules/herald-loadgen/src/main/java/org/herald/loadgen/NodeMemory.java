package org.herald.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of a node process on this machine: its heap in use right after a full collection
 * ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}: what live objects hold, not garbage
 * waiting for the next cycle) and its resident set ({@code VmRSS} in {@code /proc/<pid>/status}).
 */
record NodeMemory(long heapUsedKib, long rssKib) {
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K");
  private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+)\\s+kB");

  static NodeMemory measure(long pid) {
    jcmd(pid, "GC.run");
    return new NodeMemory(heapUsedKib(jcmd(pid, "GC.heap_info")), rssKib(pid));
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
