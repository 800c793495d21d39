package org.herald.domain.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that forgets its least recently used entry once it holds more than {@code capacity}:
 * {@code get} and {@code put} count as use; a capacity of 0 holds nothing (a cache turned off).
 * Not thread-safe: wrap it, or keep it to one actor or one stream. The node's bounded caches
 * (unwrapped content keys, typing throttles, known active users) are built on it.
 */
public final class LruMap<K, V> extends LinkedHashMap<K, V> {
  private static final long serialVersionUID = 1L;
  private final int capacity;

  public LruMap(int capacity) {
    super(Math.max(1, Math.min(capacity, 1024)), 0.75f, true);
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be 0 or more, got " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
