package org.herald.chaos;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.herald.chaos.Api.ErrorKind;

/** Failed attempts by kind: each timeout, error answer or dropped connection a client retried. */
final class ErrorTally {
  private final Map<ErrorKind, AtomicLong> counts = new EnumMap<>(ErrorKind.class);

  ErrorTally() {
    for (ErrorKind k : ErrorKind.values()) {
      counts.put(k, new AtomicLong());
    }
  }

  void add(ErrorKind kind) {
    counts.get(kind).incrementAndGet();
  }

  long total() {
    return counts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Non-zero counts by label, in the enum's order. */
  Map<String, Long> byKind() {
    Map<String, Long> out = new LinkedHashMap<>();
    counts.forEach((k, v) -> {
      if (v.get() > 0) {
        out.put(k.label, v.get());
      }
    });
    return out;
  }
}
