package org.herald.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The nodes' JVM options file: how bench and chaos pass it on, and that the java launcher takes it. */
class NodeJvmOptionsTest {
  /** conf/node-jvm.options of this checkout (the module runs in modules/herald-chaos). */
  static final Path FILE = Path.of("../../conf/node-jvm.options").toAbsolutePath().normalize();

  @Test
  void aNamedFileIsPassedAsAnArgumentFileAndNoneMeansNothing() {
    assertEquals(List.of("@" + FILE), NodeProcess.jvmOptionsFile(Map.of(NodeProcess.JVM_OPTIONS_ENV, FILE.toString())));
    assertEquals(List.of(), NodeProcess.jvmOptionsFile(Map.of()));
    assertEquals(List.of(), NodeProcess.jvmOptionsFile(Map.of(NodeProcess.JVM_OPTIONS_ENV, " ")));
    var missing = assertThrows(
        IllegalArgumentException.class,
        () -> NodeProcess.jvmOptionsFile(Map.of(NodeProcess.JVM_OPTIONS_ENV, "/nonexistent/node-jvm.options")));
    assertTrue(missing.getMessage().contains(NodeProcess.JVM_OPTIONS_ENV), missing.getMessage());
  }

  /** A typo in the file would stop every node from starting; the JVM must take it and apply it. */
  @Test
  void theJavaLauncherAcceptsTheFileAndSetsThePauseGoalAndTheTenuringThreshold() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(NodeProcess.jvmOptionsFile(Map.of(NodeProcess.JVM_OPTIONS_ENV, FILE.toString())));
    command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, java.waitFor(), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("\\s*uintx MaxGCPauseMillis\\s+= 10\\s.*")), "MaxGCPauseMillis = 10 in:\n" + out.lines().filter(l -> l.contains("MaxGCPause")).toList());
    assertTrue(out.lines().anyMatch(l -> l.matches("\\s*bool UseG1GC\\s+= true\\s.*")), "G1 in use");
    // survivors (mostly chats' recent updates, held for tens of seconds) promoted at their
    // third collection instead of being copied again at up to fifteen (uint on JDK 25)
    assertTrue(out.lines().anyMatch(l -> l.matches("\\s*uintx? MaxTenuringThreshold\\s+= 2\\s.*")),
        "MaxTenuringThreshold = 2 in:\n" + out.lines().filter(l -> l.contains("TenuringThreshold")).toList());
  }
}
