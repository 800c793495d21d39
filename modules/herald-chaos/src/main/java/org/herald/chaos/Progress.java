package org.herald.chaos;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The progress line on stderr: rewritten in place with {@code \r} every second (a terminal), or
 * printed as a new line every ten seconds (logs and tests, where carriage returns pile up). Public
 * for herald-loadgen's bench, which shows its own line the same way.
 */
public final class Progress implements AutoCloseable {
  private final PrintStream out;
  private final boolean bar;
  private final Supplier<String> line;
  private final Thread thread;
  private volatile boolean running = true;
  private int lastLength;

  public Progress(PrintStream out, boolean bar, Supplier<String> line) {
    this.out = out;
    this.bar = bar;
    this.line = line;
    this.thread = Threads.start("progress", this::run);
  }

  private void run() {
    long every = bar ? 1_000 : 10_000;
    while (running && Threads.sleep(every)) {
      print();
    }
  }

  private synchronized void print() {
    if (!running) {
      return;
    }
    String text = line.get();
    if (bar) {
      // Pad over the previous line's leftovers; no newline, so the next print overwrites it.
      out.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
      lastLength = text.length();
    } else {
      out.println(text);
    }
    out.flush();
  }

  static String format(double elapsed, double total, String phase, long kills, long freezes, long acked, long errors, String nodes) {
    return String.format(
        Locale.ROOT, "chaos %4.0f/%.0fs %-8s kills %d  freezes %d  acked %d  errors %d  nodes %s",
        elapsed, total, phase, kills, freezes, acked, errors, nodes);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (running) {
        print();
        running = false;
        if (bar) {
          out.println();
        }
        out.flush();
      }
    }
    thread.interrupt();
  }
}
