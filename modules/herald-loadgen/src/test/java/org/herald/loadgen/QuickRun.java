package org.herald.loadgen;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.herald.testkit.PostgresExtension;

/**
 * One in-process run of the bench for the quick ITs: the given scenarios with {@code --quick},
 * against a node the bench starts on the test's database with this JVM's class path; what it
 * printed, its report and where its results went.
 */
record QuickRun(String printed, List<Map<String, String>> lines, Bench.Report report, Path out) {
  static QuickRun of(PostgresExtension pg, String name, String... scenarios) throws Exception {
    Path out = Path.of("target/bench-it/" + name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    List<String> args = new ArrayList<>(List.of("--quick"));
    args.addAll(List.of(scenarios));
    args.addAll(List.of("--node-heap", "512m", "--out", out.toString(), "--db-url", pg.url()));
    BenchOptions options = BenchOptions.parse(args, Map.of("HERALD_DB_USER", pg.user(), "HERALD_DB_PASSWORD", pg.password()))
        .withNodeClasspath(System.getProperty("java.class.path"))
        .withProgressBar(false);
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Bench.Report report;
    try (PrintStream captured = new PrintStream(stdout, true, StandardCharsets.UTF_8)) {
      report = Bench.run(options, captured, System.err);
    }
    String printed = stdout.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    List<Map<String, String>> lines = printed.lines().filter(l -> l.startsWith(ResultLine.PREFIX)).map(ResultLine::parse).toList();
    return new QuickRun(printed, lines, report, out);
  }
}
