package org.herald.domain.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The last few updates of a chat, oldest first, as an immutable value with O(1) appends.
 *
 * <p>Versions share one backing array: appending to the newest version writes into the free
 * slot after it; appending to an older version (whose slot is taken) copies. An event-sourced
 * entity only ever appends to its newest state, so copies happen only when the array is full,
 * when the last {@code capacity} elements move to a fresh array of twice that size. Memory per
 * chat is therefore at most {@code 2 * capacity} references.
 *
 * <p>Beside each update the array keeps the hash of its idempotency key (sender and
 * {@code clientMessageId} of a new message; 0 for any other update), so that {@link #findSent}
 * scans a dense {@code int[]} instead of dereferencing every update and comparing its strings:
 * every send looks through the whole window when its id is new, which is nearly always.
 */
public final class RecentUpdates {
  private static final RecentUpdates EMPTY = new RecentUpdates(new Shared(0), 0, 0);

  /** The arrays and how far any version has filled them. */
  private static final class Shared {
    final ChatUpdate[] items;
    /** {@code keys[i]} is {@link #sentKey} of {@code items[i]}. */
    final int[] keys;
    int used;

    Shared(int length) {
      this.items = new ChatUpdate[length];
      this.keys = new int[length];
    }

    void set(int i, ChatUpdate update) {
      items[i] = update;
      keys[i] = sentKey(update);
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
    Shared shared = new Shared(updates.size());
    for (int i = 0; i < updates.size(); i++) {
      shared.set(i, updates.get(i));
    }
    shared.used = updates.size();
    return new RecentUpdates(shared, 0, updates.size());
  }

  /** A version holding this one's updates plus {@code update}, keeping at most {@code capacity}. */
  public RecentUpdates append(ChatUpdate update, int capacity) {
    int size = end - start;
    int newStart = size + 1 > capacity ? end + 1 - capacity : start;
    if (end < shared.items.length && shared.used == end) {
      shared.set(end, update);
      shared.used = end + 1;
      return new RecentUpdates(shared, newStart, end + 1);
    }
    int keep = end - newStart;
    Shared next = new Shared(Math.max(2 * capacity, 8));
    System.arraycopy(shared.items, newStart, next.items, 0, keep);
    System.arraycopy(shared.keys, newStart, next.keys, 0, keep);
    next.set(keep, update);
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

  /**
   * The newest {@link ChatUpdate.MessageNew} that {@code senderId} sent with {@code
   * clientMessageId}, or null when the window holds none.
   */
  public ChatUpdate.MessageNew findSent(String senderId, String clientMessageId) {
    int key = sentKey(senderId, clientMessageId);
    int[] keys = shared.keys;
    for (int i = end - 1; i >= start; i--) {
      if (keys[i] == key
          && shared.items[i] instanceof ChatUpdate.MessageNew m
          && clientMessageId.equals(m.clientMessageId())
          && senderId.equals(m.message().senderId())) {
        return m;
      }
    }
    return null;
  }

  private static int sentKey(ChatUpdate update) {
    return update instanceof ChatUpdate.MessageNew m && m.clientMessageId() != null
        ? sentKey(m.message().senderId(), m.clientMessageId())
        : 0;
  }

  /** Never 0, which marks updates that are not a new message with a client id. */
  private static int sentKey(String senderId, String clientMessageId) {
    int h = 31 * clientMessageId.hashCode() + Objects.hashCode(senderId);
    return h == 0 ? 1 : h;
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
