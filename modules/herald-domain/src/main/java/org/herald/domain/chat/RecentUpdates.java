package org.herald.domain.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The last few updates of a chat, oldest first, as an immutable value with O(1) appends.
 *
 * <p>Versions share one backing array: appending to the newest version writes into the free
 * slot after it; appending to an older version (whose slot is taken) copies. An event-sourced
 * entity only ever appends to its newest state, so copies happen only when the array is full,
 * when the last {@code capacity} elements move to a fresh array of twice that size. Memory per
 * chat is therefore at most {@code 2 * capacity} references.
 */
public final class RecentUpdates {
  private static final RecentUpdates EMPTY = new RecentUpdates(new Shared(new ChatUpdate[0]), 0, 0);

  /** The array and how far any version has filled it. */
  private static final class Shared {
    final ChatUpdate[] items;
    int used;

    Shared(ChatUpdate[] items) {
      this.items = items;
    }
  }

  private final Shared shared;
  private final int start;
  private final int end;

  private RecentUpdates(Shared shared, int start, int end) {
    this.shared = shared;
    this.start = start;
    this.end = end;
  }

  public static RecentUpdates empty() {
    return EMPTY;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static RecentUpdates of(List<ChatUpdate> updates) {
    if (updates == null || updates.isEmpty()) {
      return EMPTY;
    }
    ChatUpdate[] items = updates.toArray(new ChatUpdate[0]);
    Shared shared = new Shared(items);
    shared.used = items.length;
    return new RecentUpdates(shared, 0, items.length);
  }

  /** A version holding this one's updates plus {@code update}, keeping at most {@code capacity}. */
  public RecentUpdates append(ChatUpdate update, int capacity) {
    int size = end - start;
    int newStart = size + 1 > capacity ? end + 1 - capacity : start;
    if (end < shared.items.length && shared.used == end) {
      shared.items[end] = update;
      shared.used = end + 1;
      return new RecentUpdates(shared, newStart, end + 1);
    }
    int keep = end - newStart;
    ChatUpdate[] items = new ChatUpdate[Math.max(2 * capacity, 8)];
    System.arraycopy(shared.items, newStart, items, 0, keep);
    items[keep] = update;
    Shared next = new Shared(items);
    next.used = keep + 1;
    return new RecentUpdates(next, 0, keep + 1);
  }

  /** A copy with every update passed through {@code f} (for edits and deletions: rare). */
  public RecentUpdates map(java.util.function.UnaryOperator<ChatUpdate> f) {
    List<ChatUpdate> mapped = new ArrayList<>(size());
    for (int i = start; i < end; i++) {
      mapped.add(f.apply(shared.items[i]));
    }
    return of(mapped);
  }

  public int size() {
    return end - start;
  }

  public boolean isEmpty() {
    return end == start;
  }

  /** The i-th update, oldest first. */
  public ChatUpdate get(int i) {
    return shared.items[start + i];
  }

  public ChatUpdate first() {
    return isEmpty() ? null : get(0);
  }

  /** Newest first iteration is the common case (idempotency, latest history). */
  public ChatUpdate fromNewest(int i) {
    return shared.items[end - 1 - i];
  }

  @JsonValue
  public List<ChatUpdate> toList() {
    List<ChatUpdate> list = new ArrayList<>(size());
    for (int i = start; i < end; i++) {
      list.add(shared.items[i]);
    }
    return Collections.unmodifiableList(list);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecentUpdates other && toList().equals(other.toList());
  }

  @Override
  public int hashCode() {
    return toList().hashCode();
  }

  @Override
  public String toString() {
    return "RecentUpdates" + toList();
  }
}
