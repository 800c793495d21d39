package org.herald.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The run's own timeline ({@code events.log} in the run directory): starts, kills, freezes,
 * exits, readiness, probes. Times are wall clock (to match the node logs) and seconds since the
 * faults began.
 */
final class EventLog implements AutoCloseable {
  private final Writer out;
  private volatile long originNanos = System.nanoTime();

  EventLog(Path file) {
    try {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** From now on, times are counted from here (the start of the faults). */
  void resetOrigin(long nanos) {
    originNanos = nanos;
  }

  synchronized void log(String format, Object... args) {
    String line =
        String.format(java.util.Locale.ROOT, "%s %+8.1fs ", Instant.now(), (System.nanoTime() - originNanos) / 1e9)
            + String.format(java.util.Locale.ROOT, format, args);
    try {
      out.write(line);
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      // The timeline is a diagnostic: a full disk must not end the run.
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      // nothing left to save
    }
  }
}
