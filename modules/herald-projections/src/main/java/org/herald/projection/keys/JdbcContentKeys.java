package org.herald.projection.keys;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.herald.domain.common.LruMap;
import org.herald.domain.content.ContentCipher;
import org.herald.domain.content.ContentKey;
import org.herald.domain.content.ContentKeys;
import org.herald.domain.content.MasterKey;
import org.herald.projection.common.Sql;

/**
 * The key table ({@code content_keys}) with a bounded per-node cache of unwrapped keys. Keys are
 * issued in batches (one transaction per batch, so a chat's key costs a fraction of a write),
 * looked up in chunks, and destroyed by deleting their rows; destroying also evicts them here and,
 * through {@link #onDestroyed}, from every other node's cache.
 *
 * <p>Issued keys come from a node-wide reserve of up to {@code reserveSize} keys already durable
 * in the table, refilled in one transaction whenever it falls below half, so that a chat's first
 * send after it starts (after a restart, a rebalance or passivation) does not wait for a key
 * transaction of its own, and many chats starting at once share large batches instead of each
 * writing one of four keys. A request the reserve cannot cover is issued directly, as without
 * one. {@link #releaseReserve} destroys what is left when the node stops; a node that crashes
 * leaves at most {@code reserveSize} keys that sealed nothing.
 */
public final class JdbcContentKeys implements ContentKeys {
  private static final int CHUNK = 100;
  /** How long the reserve waits after a failed refill before it tries again. */
  static final Duration REFILL_PAUSE = Duration.ofSeconds(1);

  private final DataSource dataSource;
  private final Executor jdbcExecutor;
  private final MasterKey masterKey;
  private final Clock clock;
  private final Map<String, ContentKey> cache;
  private volatile Consumer<Collection<String>> onDestroyed = ids -> {};
  private final int reserveSize;
  /** Issued keys no chat has taken yet; guarded by itself, as is {@link #refilling}. */
  private final ArrayDeque<ContentKey> reserve = new ArrayDeque<>();
  private boolean refilling;
  private boolean released;
  /** {@link System#nanoTime()} before which no refill starts: set after a failed one. */
  private long refillPausedUntil = System.nanoTime();

  /** A key table without a reserve: every issue is its own transaction. */
  public JdbcContentKeys(DataSource dataSource, Executor jdbcExecutor, MasterKey masterKey, Clock clock, int cacheSize) {
    this(dataSource, jdbcExecutor, masterKey, clock, cacheSize, 0);
  }

  /** {@code reserveSize}: keys issued ahead of need for the whole node (0: none). */
  public JdbcContentKeys(DataSource dataSource, Executor jdbcExecutor, MasterKey masterKey, Clock clock, int cacheSize, int reserveSize) {
    if (reserveSize < 0) {
      throw new IllegalArgumentException("reserveSize must be 0 or more, got " + reserveSize);
    }
    this.reserveSize = reserveSize;
    this.dataSource = dataSource;
    this.jdbcExecutor = jdbcExecutor;
    this.masterKey = masterKey;
    this.clock = clock;
    this.cache = java.util.Collections.synchronizedMap(new LruMap<>(cacheSize));
  }

  /** Where destroyed key ids are announced to the other nodes (their caches evict them). */
  public void onDestroyed(Consumer<Collection<String>> announce) {
    this.onDestroyed = announce;
  }

  /** Another node destroyed these keys: forget them here too. */
  public void evict(Collection<String> keyIds) {
    keyIds.forEach(cache::remove);
  }

  @Override
  public CompletionStage<List<ContentKey>> issue(int count) {
    List<ContentKey> taken = null;
    synchronized (reserve) {
      if (count <= reserve.size()) {
        taken = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          taken.add(reserve.poll());
        }
      }
    }
    refillIfLow();
    return taken != null ? CompletableFuture.completedFuture(taken) : insert(count);
  }

  /** Keys in the reserve now (for tests). */
  public int reserved() {
    synchronized (reserve) {
      return reserve.size();
    }
  }

  /**
   * Starts filling the reserve when it holds less than half of its size and no fill is under
   * way; completes when that fill is done (at once when none starts). After a failed fill none
   * starts for {@link #REFILL_PAUSE}, so a failing key table is not sent a batch per issue.
   */
  public CompletionStage<Void> refillIfLow() {
    int missing;
    synchronized (reserve) {
      if (released || refilling || reserve.size() >= (reserveSize + 1) / 2 || System.nanoTime() - refillPausedUntil < 0) {
        return CompletableFuture.completedFuture(null);
      }
      refilling = true;
      missing = reserveSize - reserve.size();
    }
    return insert(missing)
        .handle(
            (keys, failure) -> {
              List<ContentKey> unused = List.of();
              synchronized (reserve) {
                refilling = false;
                if (failure != null) {
                  refillPausedUntil = System.nanoTime() + REFILL_PAUSE.toNanos();
                }
                if (keys != null) {
                  if (released) {
                    unused = keys;
                  } else {
                    reserve.addAll(keys);
                  }
                }
              }
              if (!unused.isEmpty()) {
                destroy(unused.stream().map(ContentKey::keyId).toList());
              }
              return null;
            });
  }

  /** Destroys the keys left in the reserve and stops refilling it: the node is stopping. */
  public CompletionStage<Void> releaseReserve() {
    List<String> unused;
    synchronized (reserve) {
      released = true;
      unused = reserve.stream().map(ContentKey::keyId).toList();
      reserve.clear();
    }
    return destroy(unused);
  }

  /** {@code count} fresh keys, durably in the table, in one transaction. */
  private CompletionStage<List<ContentKey>> insert(int count) {
    List<ContentKey> keys = new ArrayList<>(count);
    long now = clock.millis();
    for (int i = 0; i < count; i++) {
      keys.add(new ContentKey(ContentKey.newId(now), ContentCipher.newKey()));
    }
    return Sql.transaction(
        dataSource,
        jdbcExecutor,
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement("INSERT INTO content_keys (key_id, wrapped, created_at) VALUES (?, ?, ?)")) {
            for (ContentKey key : keys) {
              ps.setString(1, key.keyId());
              ps.setString(2, Base64.getEncoder().encodeToString(masterKey.wrap(key.keyId(), key.key())));
              Sql.setInstant(ps, 3, clock.instant());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return keys;
        })
        .thenApply(
            issued -> {
              issued.forEach(k -> cache.put(k.keyId(), k));
              return issued;
            });
  }

  @Override
  public CompletionStage<Map<String, ContentKey>> find(Collection<String> keyIds) {
    Map<String, ContentKey> found = new HashMap<>();
    java.util.Set<String> uncached = new java.util.LinkedHashSet<>();
    for (String id : keyIds) {
      ContentKey cached = cache.get(id);
      if (cached != null) {
        found.put(id, cached);
      } else {
        uncached.add(id);
      }
    }
    List<String> missing = new ArrayList<>(uncached);
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(found);
    }
    return Sql.async(
        jdbcExecutor,
        () -> {
          try (Connection conn = dataSource.getConnection()) {
            for (List<String> chunk : chunks(missing)) {
              try (PreparedStatement ps =
                  conn.prepareStatement("SELECT key_id, wrapped FROM content_keys WHERE key_id IN (" + placeholders(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                  ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    String id = rs.getString(1);
                    byte[] key = masterKey.unwrap(id, Base64.getDecoder().decode(rs.getString(2)));
                    ContentKey contentKey = new ContentKey(id, key);
                    cache.put(id, contentKey);
                    found.put(id, contentKey);
                  }
                }
              }
            }
          }
          return found;
        });
  }

  @Override
  public CompletionStage<Void> destroy(Collection<String> keyIds) {
    if (keyIds.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<String> ids = List.copyOf(keyIds);
    // Rows first, caches after: a lookup racing the deletion can re-cache a key only while its
    // row still exists, and the eviction that follows removes it.
    return Sql.async(
            jdbcExecutor,
            () -> {
              try (Connection conn = dataSource.getConnection()) {
                destroy(conn, ids);
              }
              return (Void) null;
            })
        .thenRun(
            () -> {
              evict(ids);
              onDestroyed.accept(ids);
            });
  }

  /** Deletes the rows on the caller's connection (projections do it in their transaction). */
  public static void destroy(Connection conn, Collection<String> keyIds) throws SQLException {
    List<String> ids = new ArrayList<>(keyIds);
    for (List<String> chunk : chunks(ids)) {
      try (PreparedStatement ps =
          conn.prepareStatement("DELETE FROM content_keys WHERE key_id IN (" + placeholders(chunk.size()) + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        ps.executeUpdate();
      }
    }
  }

  private static List<List<String>> chunks(List<String> ids) {
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += CHUNK) {
      chunks.add(ids.subList(i, Math.min(ids.size(), i + CHUNK)));
    }
    return chunks;
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }
}
