package org.herald.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run found: the faults with their recovery times, the checker's verdict, the errors
 * clients saw, and problems of the run itself (a cluster that did not heal, clients that could
 * not finish). Renders the table, the JSON file and the summary line.
 *
 * @param problems anything that makes the figures untrustworthy; a run with problems fails
 */
public record ChaosResult(
    String plan,
    Path runDirectory,
    double runSeconds,
    double faultSeconds,
    List<Fault> faults,
    Checker.Verdict verdict,
    Map<String, Long> sendErrors,
    Map<String, Long> probeErrors,
    Map<String, Long> syncErrors,
    long lateAcks,
    long abandoned,
    long rejected,
    long reconnects,
    long gapsCaughtUp,
    List<Cluster.Exit> exits,
    int nodeStarts,
    List<String> problems) {

  /**
   * One fault. {@code recoverySeconds}: from the signal until the last chat's probe was
   * acknowledged (null: some chat did not recover); {@code upAgainSeconds}: until the node was
   * up and serving again (restarted, or thawed, or restarted after exiting).
   */
  public record Fault(
      int number, String kind, int node, double atSeconds, Double recoverySeconds, long unrecoveredChats, Double upAgainSeconds) {
    boolean isKill() {
      return kind.equals("kill");
    }
  }

  public long kills() {
    return faults.stream().filter(Fault::isKill).count();
  }

  public long freezes() {
    return faults.size() - kills();
  }

  public long acked() {
    return verdict.acked();
  }

  public long lost() {
    return verdict.lost();
  }

  public long duplicates() {
    return verdict.duplicates();
  }

  public long gaps() {
    return verdict.gaps();
  }

  public long diverged() {
    return verdict.diverged();
  }

  /** Lost, duplicates, gaps and diverged all 0, everything verified, and no problem in the run. */
  public boolean passed() {
    return verdict.clean() && problems.isEmpty();
  }

  /** Median recovery time after kills (or freezes), in seconds; 0 when there were none. */
  public double recoveryMedian(boolean kills) {
    List<Double> r = recoveries(kills);
    if (r.isEmpty()) {
      return 0;
    }
    int n = r.size();
    return n % 2 == 1 ? r.get(n / 2) : (r.get(n / 2 - 1) + r.get(n / 2)) / 2;
  }

  public double recoveryMax(boolean kills) {
    List<Double> r = recoveries(kills);
    return r.isEmpty() ? 0 : r.get(r.size() - 1);
  }

  private List<Double> recoveries(boolean kills) {
    List<Double> r = new ArrayList<>();
    for (Fault f : faults) {
      if (f.isKill() == kills && f.recoverySeconds() != null) {
        r.add(f.recoverySeconds());
      }
    }
    r.sort(Double::compare);
    return r;
  }

  /** The last line of stdout, for scripts. */
  public String summaryLine() {
    return String.format(
        Locale.ROOT,
        "chaos: kills=%d acked=%d lost=%d duplicates=%d gaps=%d diverged=%d recovery_median_s=%.1f recovery_max_s=%.1f",
        kills(), acked(), lost(), duplicates(), gaps(), diverged(), recoveryMedian(true), recoveryMax(true));
  }

  /** The human-readable report, printed before the summary line. */
  public String table() {
    StringBuilder b = new StringBuilder();
    line(b, "");
    line(b, "Herald chaos run: %s", plan);
    line(b, "run directory %s; %.0f s in all, faults for %.0f s", runDirectory, runSeconds, faultSeconds);
    line(b, "");
    line(b, "  #  fault   node   at (s)   recovered after (s)   node up again after (s)");
    for (Fault f : faults) {
      line(b, "%3d  %-6s  %4d  %7.1f   %19s   %23s", f.number(), f.kind(), f.node(), f.atSeconds(),
          f.recoverySeconds() == null ? "NO (" + f.unrecoveredChats() + " chats)" : String.format(Locale.ROOT, "%.1f", f.recoverySeconds()),
          f.upAgainSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1f", f.upAgainSeconds()));
    }
    line(b, "");
    line(b, "  kills                 %d   recovery median %.1f s, max %.1f s", kills(), recoveryMedian(true), recoveryMax(true));
    line(b, "  freezes               %d   recovery median %.1f s, max %.1f s", freezes(), recoveryMedian(false), recoveryMax(false));
    line(b, "  node starts           %d   exits on their own: %d", nodeStarts, exits.size());
    for (Cluster.Exit e : exits) {
      line(b, "                          node %d at %.1f s %s (status %d)", e.node(), e.atSeconds(), e.after(), e.status());
    }
    line(b, "");
    line(b, "  acknowledged          %d   (stored %d; stored but never acknowledged %d; given up %d; refused %d; late second answers %d)",
        acked(), verdict.stored(), verdict.storedUnacked(), abandoned, rejected, lateAcks);
    line(b, "  lost                  %d", lost());
    line(b, "  duplicates            %d", duplicates());
    line(b, "  gaps                  %d", gaps());
    line(b, "  diverged clients      %d", diverged());
    if (verdict.unverified() > 0 || !verdict.unreadableChats().isEmpty()) {
      line(b, "  UNVERIFIED            %d acknowledged messages in %d chats that could not be read", verdict.unverified(),
          verdict.unreadableChats().size());
    }
    line(b, "  socket reconnects     %d   gaps filled by catch-up %d", reconnects, gapsCaughtUp);
    line(b, "");
    errors(b, "errors seen by senders", sendErrors);
    errors(b, "errors seen by probes", probeErrors);
    errors(b, "errors seen while syncing", syncErrors);
    if (!verdict.findings().isEmpty()) {
      line(b, "");
      line(b, "  findings (first %d):", verdict.findings().size());
      verdict.findings().forEach(f -> line(b, "    %s", f));
    }
    if (!problems.isEmpty()) {
      line(b, "");
      line(b, "  problems with the run:");
      problems.forEach(p -> line(b, "    %s", p));
    }
    line(b, "");
    line(b, "  verdict: %s", passed() ? "PASS" : "FAIL");
    return b.toString();
  }

  private static void errors(StringBuilder b, String title, Map<String, Long> counts) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder kinds = new StringBuilder();
    counts.forEach((k, v) -> kinds.append(kinds.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
    line(b, "  %-26s %d%s", title, total, total == 0 ? "" : "   (" + kinds + ")");
  }

  private static void line(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  /** result.json: every figure of the table, and the findings. */
  public String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("plan", plan);
    root.put("passed", passed());
    root.put("runSeconds", tenths(runSeconds));
    root.put("faultSeconds", tenths(faultSeconds));
    root.put("kills", kills());
    root.put("freezes", freezes());
    root.put("acked", acked());
    root.put("lost", lost());
    root.put("duplicates", duplicates());
    root.put("gaps", gaps());
    root.put("diverged", diverged());
    root.put("unverified", verdict.unverified());
    root.put("unreadableChats", verdict.unreadableChats());
    root.put("stored", verdict.stored());
    root.put("storedUnacked", verdict.storedUnacked());
    root.put("abandoned", abandoned);
    root.put("rejected", rejected);
    root.put("lateAcks", lateAcks);
    root.put("recoveryMedianSeconds", tenths(recoveryMedian(true)));
    root.put("recoveryMaxSeconds", tenths(recoveryMax(true)));
    root.put("freezeRecoveryMedianSeconds", tenths(recoveryMedian(false)));
    root.put("freezeRecoveryMaxSeconds", tenths(recoveryMax(false)));
    root.put("faults", faults);
    root.put("nodeStarts", nodeStarts);
    root.put("exits", exits);
    root.put("sendErrors", sendErrors);
    root.put("probeErrors", probeErrors);
    root.put("syncErrors", syncErrors);
    root.put("reconnects", reconnects);
    root.put("gapsCaughtUp", gapsCaughtUp);
    root.put("findings", verdict.findings());
    root.put("problems", problems);
    try {
      return Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Seconds rounded to a tenth, as the report shows them. */
  static double tenths(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
