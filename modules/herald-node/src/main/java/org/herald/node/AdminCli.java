package org.herald.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's command line, a client of a node's operator port ({@code bin/herald projections
 * …}). Each command is one entry in {@link #COMMANDS}: a group and a verb ({@code projections
 * list}), its arguments for the usage text, and what it does with the port.
 */
public final class AdminCli {
  /** What a command does: talks to the node, prints, answers an exit status. */
  @FunctionalInterface
  interface Action {
    int run(Client client, List<String> args, boolean wait) throws IOException, InterruptedException;
  }

  /** A command: {@code group verb} and the arguments it takes, for matching and usage. */
  record Command(String group, String verb, String arguments, int arity, String help, Action action) {}

  /** Thrown for a bad command line: printed with the usage, exit status 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** The node cannot be reached or answered with an error: printed, exit status 1. */
  static final class NodeException extends RuntimeException {
    NodeException(String message) {
      super(message);
    }
  }

  private static final List<Command> COMMANDS =
      List.of(
          new Command("projections", "list", "", 0, "every projection's lag and rebuild state", AdminCli::list),
          new Command(
              "projections",
              "rebuild",
              "NAME [--wait]",
              1,
              "drop a read model and replay it from the journal; --wait follows it until caught up",
              AdminCli::rebuild),
          new Command("admin", "grant", "USERNAME analyst|admin", 2, "give a user a platform role (journaled in the user)", AdminCli::grant),
          new Command("admin", "revoke", "USERNAME analyst|admin", 2, "take a granted platform role back", AdminCli::revoke));

  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminCli() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
  }

  /** Runs one command line; answers the exit status (0 done, 1 failed, 2 bad usage). */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    String adminUrl = defaultUrl(env);
    boolean wait = false;
    List<String> words = new ArrayList<>();
    try {
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        switch (arg) {
          case "--admin-url" -> {
            if (i + 1 >= args.size()) {
              throw new UsageException("missing value after --admin-url");
            }
            adminUrl = args.get(++i).replaceAll("/+$", "");
          }
          case "--wait" -> wait = true;
          case "-h", "--help", "help" -> {
            out.print(usage());
            return 0;
          }
          default -> {
            if (arg.startsWith("--")) {
              throw new UsageException("unknown option " + arg);
            }
            words.add(arg);
          }
        }
      }
      if (words.size() < 2) {
        throw new UsageException(words.isEmpty() ? "" : "missing command after " + words.get(0));
      }
      String group = words.get(0);
      String verb = words.get(1);
      Command command =
          COMMANDS.stream()
              .filter(c -> c.group().equals(group) && c.verb().equals(verb))
              .findFirst()
              .orElseThrow(() -> new UsageException("unknown command: " + group + " " + verb));
      List<String> rest = words.subList(2, words.size());
      if (rest.size() != command.arity()) {
        throw new UsageException("usage: bin/herald " + group + " " + verb + " " + command.arguments());
      }
      return command.action().run(new Client(adminUrl, out), rest, wait) == 0 ? 0 : 1;
    } catch (UsageException e) {
      if (!e.getMessage().isEmpty()) {
        err.println("herald: " + e.getMessage());
      }
      err.print(usage());
      return 2;
    } catch (NodeException e) {
      err.println("herald: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("herald: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      out.flush();
    }
  }

  private static String defaultUrl(Map<String, String> env) {
    String url = env.get("HERALD_ADMIN_URL");
    if (url != null && !url.isBlank()) {
      return url.replaceAll("/+$", "");
    }
    String port = env.get("HERALD_ADMIN_PORT");
    return "http://127.0.0.1:" + (port == null || port.isBlank() ? "8558" : port.trim());
  }

  static String usage() {
    StringBuilder usage = new StringBuilder("operator commands (talk to a running node's operator port):\n");
    for (Command c : COMMANDS) {
      String line = "bin/herald " + c.group() + " " + c.verb() + (c.arguments().isEmpty() ? "" : " " + c.arguments());
      usage.append(String.format(Locale.ROOT, "  %-46s %s%n", line, c.help()));
    }
    usage.append("  options: --admin-url URL (env HERALD_ADMIN_URL; default http://127.0.0.1:$HERALD_ADMIN_PORT or :8558)\n");
    return usage.toString();
  }

  private static int list(Client client, List<String> args, boolean wait) throws IOException, InterruptedException {
    JsonNode projections = client.get("/projections").path("projections");
    PrintStream out = client.out();
    out.printf(Locale.ROOT, "%-20s %-14s %14s %15s  %s%n", "PROJECTION", "DELIVERY", "EVENTS BEHIND", "SECONDS BEHIND", "STATE");
    for (JsonNode p : projections) {
      out.printf(
          Locale.ROOT,
          "%-20s %-14s %14s %15.1f  %s%n",
          p.path("name").asText(),
          p.path("delivery").asText(),
          eventsBehind(p),
          p.path("secondsBehind").asDouble(),
          state(p));
    }
    return 0;
  }

  private static int rebuild(Client client, List<String> args, boolean wait) throws IOException, InterruptedException {
    String name = args.get(0);
    JsonNode started = client.post("/projections/" + name + "/rebuild");
    PrintStream out = client.out();
    out.println("rebuilding " + name + " (started " + started.path("startedAt").asText() + ")");
    if (!wait) {
      out.println("follow it with: bin/herald projections list");
      return 0;
    }
    String last = "";
    while (true) {
      Thread.sleep(1000);
      JsonNode p = find(client.get("/projections").path("projections"), name);
      String state = p.path("rebuild").path("state").asText("");
      String progress = state + ", " + eventsBehind(p) + " events behind";
      if (!progress.equals(last)) {
        out.println(name + ": " + progress);
        last = progress;
      }
      if (state.equals("caught-up")) {
        out.println(name + " rebuilt: caught up with the journal");
        return 0;
      }
      if (state.equals("failed")) {
        out.println(name + " rebuild failed: " + p.path("rebuild").path("error").asText());
        return 1;
      }
      if (state.isEmpty()) {
        throw new NodeException("the node no longer reports the rebuild of " + name + " (restarted?); run it again");
      }
    }
  }

  private static int grant(Client client, List<String> args, boolean wait) throws IOException, InterruptedException {
    client.put("/roles/" + args.get(0) + "/" + args.get(1));
    client.out().println(args.get(0) + " now has the " + args.get(1) + " role");
    return 0;
  }

  private static int revoke(Client client, List<String> args, boolean wait) throws IOException, InterruptedException {
    client.delete("/roles/" + args.get(0) + "/" + args.get(1));
    client.out().println(args.get(0) + " no longer has a granted " + args.get(1) + " role (configured roles stay)");
    return 0;
  }

  private static JsonNode find(JsonNode projections, String name) {
    for (JsonNode p : projections) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    throw new NodeException("the node no longer lists a projection named " + name);
  }

  private static String eventsBehind(JsonNode p) {
    return (p.path("eventsBehindCapped").asBoolean() ? ">=" : "") + p.path("eventsBehind").asLong();
  }

  private static String state(JsonNode p) {
    JsonNode rebuild = p.path("rebuild");
    String note = p.path("rebuildable").asBoolean() ? "" : " (not rebuildable)";
    if (!rebuild.isMissingNode() && !rebuild.path("state").asText().equals("caught-up")
        && !rebuild.path("state").asText().equals("failed")) {
      return "rebuilding: " + rebuild.path("state").asText() + " since " + rebuild.path("since").asText();
    }
    if (p.path("paused").asBoolean()) {
      return "PAUSED (rebuilding from another node, or interrupted: run the rebuild again)" + note;
    }
    String base = p.path("caughtUp").asBoolean() ? "caught up" : "behind";
    if (rebuild.path("state").asText().equals("failed")) {
      base += "; last rebuild failed: " + rebuild.path("error").asText();
    } else if (!rebuild.isMissingNode()) {
      base += "; rebuilt " + rebuild.path("finishedAt").asText();
    }
    return base + note;
  }

  /** The operator port over HTTP, with errors a person can act on. */
  static final class Client {
    private final String baseUrl;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    Client(String baseUrl, PrintStream out) {
      this.baseUrl = baseUrl;
      this.out = out;
    }

    /** Where the command prints its results. */
    PrintStream out() {
      return out;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
      return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode post(String path) throws IOException, InterruptedException {
      return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    JsonNode put(String path) throws IOException, InterruptedException {
      return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.noBody()));
    }

    JsonNode delete(String path) throws IOException, InterruptedException {
      return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    private URI uri(String path) {
      try {
        return URI.create(baseUrl + path);
      } catch (IllegalArgumentException e) {
        throw new UsageException("not a URL: " + baseUrl);
      }
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
      HttpResponse<String> response;
      try {
        response = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException | HttpTimeoutException e) {
        throw new NodeException("no Herald node answers on " + baseUrl + "; is it running? (--admin-url)");
      }
      JsonNode body;
      try {
        body = JSON.readTree(response.body());
      } catch (IOException e) {
        throw new NodeException(baseUrl + " answered " + response.statusCode() + " without JSON: is it a Herald operator port?");
      }
      if (response.statusCode() >= 300) {
        String message = body.path("error").path("message").asText(response.body());
        throw new NodeException(message + " (HTTP " + response.statusCode() + ")");
      }
      return body;
    }
  }
}
