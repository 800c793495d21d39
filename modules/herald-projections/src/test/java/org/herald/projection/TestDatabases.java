package org.herald.projection;

import com.zaxxer.hikari.HikariDataSource;
import org.herald.projection.common.Database;
import org.herald.testkit.PostgresExtension;

/** Migrated read-model databases for tests that run handlers and queries on both vendors. */
public final class TestDatabases {
  private TestDatabases() {}

  /** The test class's PostgreSQL database, migrated, behind a small pool. */
  public static HikariDataSource postgres(PostgresExtension pg, String poolName) {
    HikariDataSource db = Database.pool(new Database.Settings(pg.url(), pg.user(), pg.password(), 3), poolName);
    Database.migrate(db, Database.Vendor.POSTGRES);
    return db;
  }

  /** A fresh in-memory H2 database named {@code name}, migrated. */
  public static HikariDataSource h2(String name) {
    HikariDataSource db = Database.pool(new Database.Settings("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "", "", 3), "test-h2-" + name);
    Database.migrate(db, Database.Vendor.H2);
    return db;
  }
}
