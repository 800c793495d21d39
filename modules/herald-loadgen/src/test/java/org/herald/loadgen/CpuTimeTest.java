package org.herald.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CpuTimeTest {
  @Test
  void readsAProcessLineWhoseNameHasSpacesAndParentheses() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 89 10 20 0 50 0";
    assertEquals(1234 + 567, CpuTime.statTicks(stat, false));
    assertEquals(1234 + 567 + 89 + 10, CpuTime.statTicks(stat, true));
  }

  @Test
  void countsTheMachineBusyWithoutIdleIoWaitAndSteal() {
    // user nice system idle iowait irq softirq steal guest guest_nice
    assertEquals(100 + 2 + 30 + 4 + 5, CpuTime.busyTicks("cpu  100 2 30 9000 700 4 5 600 0 0"));
    assertThrows(IllegalArgumentException.class, () -> CpuTime.busyTicks("cpu0 1 2 3 4 5 6 7 8"));
  }

  @Test
  void givesMillisecondsPerMessageAndCoresOverTheWindow() {
    CpuTime from = new CpuTime(1_000, 50, -1, 10_000);
    CpuTime to = new CpuTime(1_000 + 1_200, 50 + 48, -1, 10_000 + 1_800);
    // 10 s: the node used 12 s of CPU for 24,000 messages, the machine 18 s
    Map<String, Object> f = to.since(from, 24_000, 10.0);
    assertEquals(0.5, f.get("node_cpu_ms_per_msg"));
    assertEquals(1.2, f.get("node_cpu_cores"));
    assertEquals(0.75, f.get("machine_cpu_ms_per_msg"));
    assertEquals(0.02, f.get("bench_cpu_ms_per_msg"));
    assertEquals(0.05, f.get("bench_cpu_cores"));
    assertFalse(f.containsKey("postgres_cpu_ms_per_msg"), "PostgreSQL was not read: nothing reported");
  }

  @Test
  void givesContextSwitchesPerMessageAndPerSecond() {
    CpuTime from = new CpuTime(1_000, 50, -1, 10_000, 5_000, 80_000);
    CpuTime to = new CpuTime(2_000, 60, -1, 11_000, 5_000 + 290_000, 80_000 + 550_000);
    // 10 s, 10,000 messages: the node's threads switched 29 times per message, the machine 55
    Map<String, Object> f = to.since(from, 10_000, 10.0);
    assertEquals(29.0, f.get("node_switches_per_msg"));
    assertEquals(29_000L, f.get("node_switches_per_s"));
    assertEquals(55.0, f.get("machine_switches_per_msg"));
    assertEquals(55_000L, f.get("machine_switches_per_s"));
    assertFalse(new CpuTime(1, 1, 1, 1).since(new CpuTime(0, 0, 0, 0), 10, 1.0).containsKey("node_switches_per_msg"),
        "switches not read: nothing reported");
  }

  @Test
  void readsSwitchesFromATaskStatusAndProcStat() {
    String status = "Name:\tjava\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t1200\nnonvoluntary_ctxt_switches:\t34\n";
    assertEquals(1_234, CpuTime.statusSwitches(status));
    assertEquals(987_654, CpuTime.ctxtSwitches(java.util.List.of("cpu  1 2 3 4", "intr 5 6", "ctxt 987654", "btime 1")));
    assertEquals(-1, CpuTime.ctxtSwitches(java.util.List.of("cpu  1 2 3 4")));
  }

  @Test
  void readsThisJvmAndTheMachine() {
    assumeTrue(Files.exists(Path.of("/proc/stat")), "Linux only");
    CpuTime now = CpuTime.read(OptionalLong.of(ProcessHandle.current().pid()));
    assertTrue(now.node() >= 0 && now.bench() >= 0 && now.machine() > 0, now.toString());
    assertTrue(now.nodeSwitches() > 0 && now.machineSwitches() > 0, now.toString());
    assertEquals(-1, CpuTime.read(OptionalLong.empty()).node());
  }
}
