package org.herald.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a fresh, empty PostgreSQL database and drops it afterwards. The server is
 * the one {@code bin/herald test} makes sure of: {@code HERALD_TEST_DB_URL} (an admin database
 * such as {@code …/postgres}), {@code HERALD_TEST_DB_USER}, {@code HERALD_TEST_DB_PASSWORD}; the
 * user needs CREATEDB. Nothing is started here: PostgreSQL refuses to run as root, so a test
 * cannot unpack and start its own.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private final String adminUrl = env("HERALD_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
  private final String user = env("HERALD_TEST_DB_USER", "herald_test");
  private final String password = env("HERALD_TEST_DB_PASSWORD", "");
  private String database;

  /** Tries of dropping the database while a session we may not end is on it, half a second apart. */
  private static final int DROP_ATTEMPTS = 20;

  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws SQLException {
    database = "herald_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    try (Connection conn = DriverManager.getConnection(adminUrl, user, password);
        Statement st = conn.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      throw new SQLException(
          "PostgreSQL for tests is not reachable at " + adminUrl + " as " + user
              + ". Run the suite with bin/herald test, or set HERALD_TEST_DB_URL/_USER/_PASSWORD. ("
              + e.getMessage() + ")",
          e);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    if (database == null) {
      return;
    }
    // DROP … WITH (FORCE) may only end sessions of roles the test user has: an autovacuum worker
    // busy on the database after a heavy test makes it fail (insufficient privilege) until the
    // worker is done. Any other failure is reported at once.
    for (int attempt = 1; ; attempt++) {
      try (Connection conn = DriverManager.getConnection(adminUrl, user, password);
          Statement st = conn.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        return;
      } catch (SQLException e) {
        if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState()) || attempt >= DROP_ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** JDBC URL of this class's database. */
  public String url() {
    int slash = adminUrl.lastIndexOf('/');
    int query = adminUrl.indexOf('?', slash);
    String suffix = query < 0 ? "" : adminUrl.substring(query);
    return adminUrl.substring(0, slash + 1) + database + suffix;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), user, password);
  }
}
