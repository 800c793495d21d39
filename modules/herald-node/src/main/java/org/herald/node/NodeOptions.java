package org.herald.node;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start a node: from command-line flags, then environment variables, then the
 * configuration files. Only what was given explicitly overrides the configuration.
 */
public record NodeOptions(Path configFile, Map<String, Object> overrides) {

  public static final String USAGE =
      """
      usage: herald-node [--port N] [--host H] [--admin-port N] [--data-dir DIR] [--db h2|postgres]
                         [--db-url URL] [--node N] [--remote-port N] [--seeds host:port,...]
                         [--config FILE]
        --port N          HTTP port (env HERALD_HTTP_PORT, default 8080)
        --host H          HTTP bind address (env HERALD_HTTP_HOST, default 127.0.0.1)
        --admin-port N    operator port: health, metrics, projections (env HERALD_ADMIN_PORT, default 8558;
                          bound to HERALD_ADMIN_HOST, default 127.0.0.1)
        --data-dir DIR    where the embedded H2 database lives (env HERALD_DATA_DIR, default ./data)
        --db postgres     use PostgreSQL: HERALD_DB_URL, HERALD_DB_USER, HERALD_DB_PASSWORD
        --db-url URL      a JDBC URL, jdbc:postgresql://… or jdbc:h2:… (env HERALD_DB_URL)
        --node N          node N (1-9) of a local cluster on one machine over PostgreSQL: HTTP port
                          8080+N, operator port 8560+N, remoting port 25520+N, seeds nodes 1-3
                          (127.0.0.1:25521-25523); the flags below override any of these
        --remote-port N   cluster remoting port (env HERALD_REMOTE_PORT, default: any free port)
        --seeds LIST      cluster seed nodes as host:port (env HERALD_SEEDS, default: join itself)
        --config FILE     a HOCON overlay that includes "application" (e.g. conf/local.conf)
      """;

  /** A bad flag or value; Main prints it with the usage and exits with status 2. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }

  public static NodeOptions parse(List<String> args, Map<String, String> env) {
    Map<String, Object> o = new HashMap<>();
    Path configFile = null;
    String db = null;
    Integer node = null;
    Map<String, Object> explicit = new HashMap<>();
    putEnv(o, env, "HERALD_HTTP_PORT", "herald.http.port", true);
    putEnv(o, env, "HERALD_HTTP_HOST", "herald.http.host", false);
    putEnv(o, env, "HERALD_ADMIN_PORT", "herald.admin.port", true);
    putEnv(o, env, "HERALD_ADMIN_HOST", "herald.admin.host", false);
    putEnv(o, env, "HERALD_DATA_DIR", "herald.data-dir", false);
    putEnv(o, env, "HERALD_DB_URL", "herald.db.url", false);
    putEnv(o, env, "HERALD_DB_USER", "herald.db.user", false);
    putEnv(o, env, "HERALD_DB_PASSWORD", "herald.db.password", false);
    putEnv(o, env, "HERALD_REMOTE_PORT", "pekko.remote.artery.canonical.port", true);
    if (env.get("HERALD_SEEDS") != null && !env.get("HERALD_SEEDS").isBlank()) {
      o.put("pekko.cluster.seed-nodes", seeds(env.get("HERALD_SEEDS")));
    }
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new UsageException("");
      }
      if (i + 1 >= args.size()) {
        throw new UsageException("missing value after " + flag);
      }
      String value = args.get(++i);
      switch (flag) {
        case "--port" -> explicit.put("herald.http.port", port(value, flag));
        case "--host" -> explicit.put("herald.http.host", value);
        case "--admin-port" -> explicit.put("herald.admin.port", port(value, flag));
        case "--data-dir" -> explicit.put("herald.data-dir", value);
        case "--db" -> db = value;
        case "--db-url" -> explicit.put("herald.db.url", value);
        case "--node" -> node = nodeNumber(value);
        case "--remote-port" -> explicit.put("pekko.remote.artery.canonical.port", port(value, flag));
        case "--seeds" -> explicit.put("pekko.cluster.seed-nodes", seeds(value));
        case "--config" -> configFile = Path.of(value);
        default -> throw new UsageException("unknown option " + flag);
      }
    }
    if (node != null) {
      // Below the flags, above the environment: "--node 2 --port 9000" moves only HTTP.
      o.put("herald.http.port", 8080 + node);
      o.put("herald.admin.port", 8560 + node);
      o.put("pekko.remote.artery.canonical.port", 25520 + node);
      o.put("pekko.cluster.seed-nodes", seeds(LOCAL_SEEDS));
    }
    o.putAll(explicit);
    if (db != null) {
      switch (db) {
        case "h2" -> o.put("herald.db.url", "");
        case "postgres" -> {
          Object url = o.get("herald.db.url");
          if (url == null || !url.toString().startsWith("jdbc:postgresql:")) {
            throw new UsageException(
                "--db postgres needs HERALD_DB_URL (jdbc:postgresql://host:5432/db) or --db-url;"
                    + " bin/herald run --db postgres sets up a local one");
          }
        }
        default -> throw new UsageException("--db must be h2 or postgres");
      }
    }
    if (node != null && !o.getOrDefault("herald.db.url", "").toString().startsWith("jdbc:postgresql:")) {
      throw new UsageException("--node runs one node of a cluster, whose nodes share one PostgreSQL: add --db postgres");
    }
    return new NodeOptions(configFile, o);
  }

  /** The seed nodes of a local cluster started with {@code --node}: nodes 1 to 3. */
  static final String LOCAL_SEEDS = "127.0.0.1:25521,127.0.0.1:25522,127.0.0.1:25523";

  private static int nodeNumber(String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1 && n <= 9) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--node must be a node number from 1 to 9, got '" + value + "'");
  }

  private static void putEnv(Map<String, Object> o, Map<String, String> env, String var, String key, boolean isPort) {
    String value = env.get(var);
    if (value != null && !value.isBlank()) {
      o.put(key, isPort ? port(value, var) : value);
    }
  }

  private static int port(String value, String name) {
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a port number (0-65535), got '" + value + "'");
    }
  }

  private static List<String> seeds(String value) {
    return java.util.Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(s -> s.startsWith("pekko://") ? s : "pekko://herald@" + s)
        .toList();
  }

  public NodeOptions with(String key, Object value) {
    Map<String, Object> next = new HashMap<>(overrides);
    next.put(key, value);
    return new NodeOptions(configFile, next);
  }
}
