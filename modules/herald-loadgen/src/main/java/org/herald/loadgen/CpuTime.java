package org.herald.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU time used so far on this machine, read from Linux's {@code /proc} in clock ticks (USER_HZ,
 * 100 a second): the node the bench started, the bench's own JVM, every local PostgreSQL process
 * (with the time of the backends it has reaped; of every cluster on the machine, so another
 * cluster's work counts too) and the machine as a whole (every CPU state but
 * idle, I/O wait and steal). Throughput on a shared machine swings by a quarter between runs; the CPU
 * each message costs moves much less, so two builds are compared by it. A figure that cannot be
 * read (no {@code /proc}, a node at {@code --url}, PostgreSQL elsewhere) is -1 and not reported.
 *
 * <p>Beside the CPU, the context switches so far: the node's (voluntary and not, summed over
 * its threads; a thread that ended meanwhile takes its count with it, so the node's figure is a
 * lower bound, and dropped if it falls) and the machine's ({@code ctxt} of /proc/stat, every
 * process). At 1,000 msg/s the node switched about 40 times per message and the machine about
 * 60, against 3 and 4 at saturation: below saturation a message hops from thread to thread, and
 * each hop wakes a parked one (docs/benchmarks.md).
 */
record CpuTime(long node, long bench, long postgres, long machine, long nodeSwitches, long machineSwitches) {
  /** Linux's USER_HZ, the unit of /proc/stat and /proc/[pid]/stat on every mainstream architecture. */
  private static final double TICKS_PER_SECOND = 100.0;
  private static final Path PROC = Path.of("/proc");

  /** CPU only; the switches unknown. */
  CpuTime(long node, long bench, long postgres, long machine) {
    this(node, bench, postgres, machine, -1, -1);
  }

  static CpuTime read(OptionalLong nodePid) {
    Path nodeDir = nodePid.isPresent() ? PROC.resolve(Long.toString(nodePid.getAsLong())) : null;
    // /proc/stat once for both machine figures: its busy ticks (first line) and its switches.
    long machineTicks = -1;
    long machineSwitches = -1;
    try {
      List<String> procStat = Files.readAllLines(PROC.resolve("stat"), StandardCharsets.US_ASCII);
      machineTicks = busyTicks(procStat.get(0));
      machineSwitches = ctxtSwitches(procStat);
    } catch (IOException | RuntimeException e) {
      // no /proc here: neither is reported
    }
    return new CpuTime(
        nodeDir != null ? processTicks(nodeDir, false) : -1,
        processTicks(PROC.resolve(Long.toString(ProcessHandle.current().pid())), false),
        postgresTicks(),
        machineTicks,
        nodeDir != null ? processSwitches(nodeDir) : -1,
        machineSwitches);
  }

  /**
   * The figures of the window from {@code from} to this reading for {@code messages} messages:
   * milliseconds of CPU per message and cores busy on average, by process, in a stable order.
   */
  Map<String, Object> since(CpuTime from, long messages, double seconds) {
    Map<String, Object> out = new LinkedHashMap<>();
    put(out, "node", from.node, node, messages, seconds);
    put(out, "postgres", from.postgres, postgres, messages, seconds);
    put(out, "bench", from.bench, bench, messages, seconds);
    put(out, "machine", from.machine, machine, messages, seconds);
    putSwitches(out, "node", from.nodeSwitches, nodeSwitches, messages, seconds);
    putSwitches(out, "machine", from.machineSwitches, machineSwitches, messages, seconds);
    return out;
  }

  /** Nothing when either reading is missing, or the count went back (a thread's ended with it). */
  private static void putSwitches(Map<String, Object> out, String who, long from, long to, long messages, double seconds) {
    if (from < 0 || to < from) {
      return;
    }
    if (messages > 0) {
      out.put(who + "_switches_per_msg", round((to - from) / (double) messages, 10));
    }
    out.put(who + "_switches_per_s", Math.round((to - from) / Math.max(1e-9, seconds)));
  }

  private static void put(Map<String, Object> out, String who, long from, long to, long messages, double seconds) {
    if (from < 0 || to < from) {
      return;
    }
    double cpuSeconds = (to - from) / TICKS_PER_SECOND;
    if (messages > 0) {
      out.put(who + "_cpu_ms_per_msg", round(cpuSeconds * 1000 / messages, 1000));
    }
    out.put(who + "_cpu_cores", round(cpuSeconds / Math.max(1e-9, seconds), 100));
  }

  private static double round(double value, int scale) {
    return Math.round(value * scale) / (double) scale;
  }

  /** utime + stime of one process (fields 14 and 15), and of its reaped children (16, 17) if asked. */
  static long processTicks(Path procDir, boolean withChildren) {
    try {
      return statTicks(Files.readString(procDir.resolve("stat"), StandardCharsets.US_ASCII), withChildren);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The ticks of a /proc/[pid]/stat line; the command name in parentheses may hold spaces. */
  static long statTicks(String stat, boolean withChildren) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    // f[0] is field 3 (state): utime is field 14, so f[11]
    long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return withChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
  }

  /** Context switches of every thread of a process, from each task's status. */
  static long processSwitches(Path procDir) {
    long total = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(procDir.resolve("task"))) {
      for (Path task : tasks) {
        try {
          total += statusSwitches(Files.readString(task.resolve("status"), StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return total;
  }

  /** voluntary_ctxt_switches + nonvoluntary_ctxt_switches of a /proc/[pid]/task/[tid]/status. */
  static long statusSwitches(String status) {
    long total = 0;
    for (String line : status.split("\n")) {
      if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
        total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return total;
  }

  /** The machine's context switches since boot: the {@code ctxt} line of /proc/stat, or -1. */
  static long ctxtSwitches(List<String> procStat) {
    for (String line : procStat) {
      if (line.startsWith("ctxt ")) {
        return Long.parseLong(line.substring(5).trim());
      }
    }
    return -1;
  }

  private static long postgresTicks() {
    long total = 0;
    boolean any = false;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path d : dirs) {
        String comm;
        try {
          comm = Files.readString(d.resolve("comm"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
          continue; // the process ended meanwhile
        }
        if (comm.equals("postgres") || comm.startsWith("postgres:")) {
          long t = processTicks(d, true);
          if (t >= 0) {
            total += t;
            any = true;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return any ? total : -1;
  }

  /** The first line of /proc/stat: every state's ticks over all CPUs, idle, iowait and steal excluded. */
  static long busyTicks(String cpuLine) {
    String[] f = cpuLine.trim().split(" +");
    if (!f[0].equals("cpu")) {
      throw new IllegalArgumentException("not the cpu line of /proc/stat: " + cpuLine);
    }
    long busy = 0;
    // user nice system idle iowait irq softirq steal [guest guest_nice, already in user and nice];
    // steal is time the hypervisor gave to other machines, not this one's work
    for (int i : new int[] {1, 2, 3, 6, 7}) {
      if (i < f.length) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "CpuTime[node=%d bench=%d postgres=%d machine=%d nodeSwitches=%d machineSwitches=%d]",
        node, bench, postgres, machine, nodeSwitches, machineSwitches);
  }
}
