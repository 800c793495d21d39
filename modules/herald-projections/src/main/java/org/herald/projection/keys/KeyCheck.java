package org.herald.projection.keys;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import javax.sql.DataSource;
import org.herald.domain.content.ContentCipher.ContentUnreadable;
import org.herald.domain.content.MasterKey;
import org.herald.projection.common.Sql;

/**
 * The start-up check of the master key against the database: the first node records the key's
 * fingerprint and a probe wrapped by it; every later start must present the same key. A wrong
 * key, or a database whose key check vanished while keys remain, stops the node with a message
 * that says so, instead of serving content that cannot be opened.
 */
public final class KeyCheck {
  private static final String PROBE_ID = "herald-key-check";
  private static final byte[] PROBE = new byte[32];

  private KeyCheck() {}

  /** Throws {@link IllegalStateException} with an operator-facing message when the key does not fit. */
  public static void verify(DataSource dataSource, MasterKey masterKey) {
    try (Connection conn = dataSource.getConnection()) {
      for (int attempt = 0; attempt < 2; attempt++) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT fingerprint, probe FROM content_key_check WHERE id = 1");
            ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            check(masterKey, rs.getString(1), rs.getString(2));
            return;
          }
        }
        if (hasKeys(conn)) {
          throw new IllegalStateException(
              "the database holds content keys but its key check (content_key_check) is missing: refusing to start,"
                  + " as the master key cannot be verified");
        }
        try (PreparedStatement ps =
            conn.prepareStatement("INSERT INTO content_key_check (id, fingerprint, probe, created_at) VALUES (1, ?, ?, ?)")) {
          ps.setString(1, masterKey.fingerprint());
          ps.setString(2, Base64.getEncoder().encodeToString(masterKey.wrap(PROBE_ID, PROBE)));
          Sql.setInstant(ps, 3, Instant.now());
          ps.executeUpdate();
          return;
        } catch (SQLException e) {
          if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
            throw e;
          }
          // A key violation: another node recorded its key first; check against that one.
        }
      }
      throw new IllegalStateException("cannot record the master key check");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the master key: " + e.getMessage(), e);
    }
  }

  /** True once some node recorded its master key: the database may hold sealed content. */
  public static boolean isRecorded(DataSource dataSource) {
    try (Connection conn = dataSource.getConnection();
        PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM content_key_check WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() || hasKeys(conn);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the master key check: " + e.getMessage(), e);
    }
  }

  private static void check(MasterKey masterKey, String fingerprint, String probe) {
    if (!masterKey.fingerprint().equals(fingerprint)) {
      throw new IllegalStateException(
          "wrong master key: this database's content keys were wrapped by the master key with fingerprint "
              + fingerprint + ", but the configured key (herald.crypto.master-key / HERALD_MASTER_KEY) has fingerprint "
              + masterKey.fingerprint() + "; start with the original key");
    }
    try {
      if (!Arrays.equals(PROBE, masterKey.unwrap(PROBE_ID, Base64.getDecoder().decode(probe)))) {
        throw new ContentUnreadable("probe differs");
      }
    } catch (ContentUnreadable e) {
      throw new IllegalStateException("the master key check in content_key_check does not open with the configured key: it was altered");
    }
  }

  private static boolean hasKeys(Connection conn) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM content_keys FETCH FIRST 1 ROWS ONLY");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }
}
