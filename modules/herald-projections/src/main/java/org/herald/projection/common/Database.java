package org.herald.projection.common;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/**
 * The read-model database: which vendor, its connection pool and its schema. The journal uses
 * the same database through pekko-persistence-jdbc's own pool; migrations create both the
 * journal's and the read models' tables.
 */
public final class Database {
  private Database() {}

  /** The two databases Herald runs on: H2 embedded (the single-node default) and PostgreSQL. */
  public enum Vendor {
    H2("org.h2.Driver", "slick.jdbc.H2Profile$"),
    POSTGRES("org.postgresql.Driver", "slick.jdbc.PostgresProfile$");

    public final String driver;
    public final String slickProfile;

    Vendor(String driver, String slickProfile) {
      this.driver = driver;
      this.slickProfile = slickProfile;
    }

    public static Vendor of(String jdbcUrl) {
      String url = jdbcUrl.toLowerCase(Locale.ROOT);
      if (url.startsWith("jdbc:h2:")) {
        return H2;
      }
      if (url.startsWith("jdbc:postgresql:")) {
        return POSTGRES;
      }
      throw new IllegalArgumentException(
          "unsupported database URL (use jdbc:postgresql:… or jdbc:h2:…): " + jdbcUrl);
    }

    /** Folder of this vendor's own migrations, beside the common ones. */
    String migrationFolder() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The pekko-projection-jdbc dialect name. */
    public String projectionDialect() {
      return this == H2 ? "h2-dialect" : "postgres-dialect";
    }
  }

  /** Where the database is and how many connections the read-model pool may hold. */
  public record Settings(String url, String user, String password, int poolSize) {
    public Vendor vendor() {
      return Vendor.of(url);
    }
  }

  public static HikariDataSource pool(Settings settings, String poolName) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(poolName);
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setDriverClassName(settings.vendor().driver);
    config.setMaximumPoolSize(settings.poolSize());
    if (settings.vendor() == Vendor.POSTGRES) {
      // A batch of INSERT … VALUES goes as multi-row INSERTs (up to 128 rows each) instead of
      // one statement per row: history's messages and updates, the key reserve's new keys. A
      // batch's update counts then read SUCCESS_NO_INFO; nothing here reads them. A setting in
      // the URL wins.
      config.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    config.setMinimumIdle(1);
    // Fail fast when the database is down: callers answer 503 rather than queueing forever.
    config.setConnectionTimeout(5_000);
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }

  /**
   * Applies every pending migration: the vendor's journal schema, then the read models. Answers
   * the schema version the database is at now (the readiness check confirms it later).
   */
  public static String migrate(DataSource dataSource, Vendor vendor) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration/" + vendor.migrationFolder(), "classpath:db/migration/common")
            .load();
    flyway.migrate();
    MigrationInfo current = flyway.info().current();
    return current == null || current.getVersion() == null ? "" : current.getVersion().getVersion();
  }
}
