package org.herald.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.herald.chaos.Threads;

/**
 * The public API's HTTP calls as the bench uses them: one {@link HttpClient} (HTTP/1.1, its own
 * small pool of threads) for the setup calls and the scenarios' few HTTP requests; every updates
 * socket is on a {@link SocketHerd}. Setup runs {@code --setup-concurrency} calls at once and counts what is done
 * for the progress line. A failed setup call throws: a bench without its users cannot measure.
 */
public final class BenchClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final String PASSWORD = "bench-password-not-secret";
  /** The most users one {@code POST /v1/chats/{id}/members} may add (the API's MemberRoutes limit). */
  static final int MAX_BULK_ADD = 1000;
  /** Retries of one call the node answered 503 or 429 (busy): a setup rides out a busy spell. */
  private static final int RETRIES = 5;

  private final String baseUrl;
  private final ExecutorService callbacks;
  private final ExecutorService setup;
  private final HttpClient http;
  /** Distinguishes this run's usernames from an earlier run's on the same node (--url). */
  private final String runTag;
  private final AtomicInteger userCounter = new AtomicInteger();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();
  private volatile String step = "";
  private volatile int stepTotal;

  BenchClient(String baseUrl, int concurrency) {
    this.baseUrl = baseUrl;
    // The client's response callbacks run here.
    this.callbacks = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), Threads.daemon("bench-io"));
    this.setup = Executors.newFixedThreadPool(concurrency, Threads.daemon("bench-setup"));
    this.http = HttpClient.newBuilder().executor(callbacks).connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    this.runTag = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36), 36);
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** The last setup step and how far it got, like "accounts 120/200". */
  public String setupStatus() {
    return step.isEmpty() ? "" : step + " " + done.get() + "/" + stepTotal + (retries.get() > 0 ? " (" + retries.get() + " retried after 503/429)" : "");
  }

  /** Creates {@code n} accounts, each with one session; user {@code i} has index {@code i}. */
  public List<BenchUser> createUsers(int n) {
    return parallel("accounts", n, i -> {
      String username = "b" + runTag + "_" + userCounter.getAndIncrement();
      JsonNode r;
      try {
        r = post("/v1/accounts", null, Map.of(
            "username", username, "displayName", "Bench " + i, "password", PASSWORD, "deviceName", "bench"));
      } catch (CallFailed e) {
        if (!(e.retried && e.status == 409)) {
          throw e;
        }
        // A busy node made the account after all, and the retry found the name taken: log in.
        r = post("/v1/sessions", null, Map.of("login", username, "password", PASSWORD, "deviceName", "bench"));
      }
      return new BenchUser(i, r.path("userId").asText(), username, r.path("session").path("token").asText());
    });
  }

  /** The direct chat of each pair ({@code users[2i]}, {@code users[2i+1]}), created by the first. */
  public List<String> directChatsOfPairs(List<BenchUser> users) {
    return parallel("chats", users.size() / 2, i -> directChat(users.get(2 * i), users.get(2 * i + 1)));
  }

  public String directChat(BenchUser from, BenchUser to) {
    String chatId = post("/v1/chats", from.token(), Map.of("kind", "direct", "userId", to.userId())).path("chatId").asText();
    // The bench writes chat ids into frames as they are; Herald's ids need no escaping.
    if (!chatId.matches("[A-Za-z0-9_.:-]+")) {
      throw new IllegalStateException("unexpected chatId format: " + chatId);
    }
    return chatId;
  }

  /** A group {@code owner} creates, without members yet; its chatId. */
  public String createGroup(BenchUser owner, String title) {
    return post("/v1/chats", owner.token(), Map.of("kind", "group", "title", title, "memberIds", List.of())).path("chatId").asText();
  }

  /** A public channel {@code owner} creates; its chatId. */
  public String createChannel(BenchUser owner, String title) {
    return post("/v1/chats", owner.token(), Map.of("kind", "channel", "title", title, "public", true)).path("chatId").asText();
  }

  /**
   * {@code admin} adds {@code users} to the chat, {@link #MAX_BULK_ADD} per request, {@code
   * --setup-concurrency} requests at once.
   */
  public void addMembers(BenchUser admin, String chatId, List<BenchUser> users) {
    int batches = (users.size() + MAX_BULK_ADD - 1) / MAX_BULK_ADD;
    parallel("members ×" + MAX_BULK_ADD, batches, i -> {
      List<String> ids = users.subList(i * MAX_BULK_ADD, Math.min(users.size(), (i + 1) * MAX_BULK_ADD)).stream()
          .map(BenchUser::userId).toList();
      return post("/v1/chats/" + chatId + "/members", admin.token(), Map.of("userIds", ids));
    });
  }

  /** POSTs a JSON body; the answer's JSON, or an exception naming the call and status. */
  public JsonNode post(String path, String token, Object body) {
    return call("POST", path, token, HttpRequest.BodyPublishers.ofString(write(body)));
  }

  /** GETs {@code path}; the answer's JSON, or an exception naming the call and status. */
  public JsonNode get(String path, String token) {
    return call("GET", path, token, HttpRequest.BodyPublishers.noBody());
  }

  /** A call that answered with an error status, after any retries. */
  static final class CallFailed extends IllegalStateException {
    final int status;
    final boolean retried;

    CallFailed(String message, int status, boolean retried) {
      super(message);
      this.status = status;
      this.retried = retried;
    }
  }

  /**
   * One call; a 503 or 429 is retried after the {@code retryAfterSeconds} the node asks for
   * (the API's promise that a retry after the wait works), {@link #RETRIES} times at most.
   */
  private JsonNode call(String method, String path, String token, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/json")
        .method(method, body);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpRequest request = b.build();
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> r;
      try {
        r = http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException(method + " " + path + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
      int status = r.statusCode();
      if ((status == 503 || status == 429) && attempt < RETRIES) {
        retries.incrementAndGet();
        Threads.sleep(1000L * Math.max(1, retryAfterSeconds(r.body())));
        continue;
      }
      if (status / 100 != 2) {
        throw new CallFailed(method + " " + path + " answered " + status + ": " + r.body(), status, attempt > 0);
      }
      try {
        return JSON.readTree(r.body());
      } catch (IOException e) {
        throw new IllegalStateException(method + " " + path + " answered unparseable JSON: " + r.body());
      }
    }
  }

  private static int retryAfterSeconds(String body) {
    try {
      return JSON.readTree(body).path("error").path("retryAfterSeconds").asInt(1);
    } catch (IOException e) {
      return 1;
    }
  }

  /** Calls retried after a 503 or 429 so far. */
  public int retries() {
    return retries.get();
  }

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code n} setup calls, {@code concurrency} at a time; their results in order. */
  private <T> List<T> parallel(String name, int n, IntFunction<T> call) {
    step = name;
    stepTotal = n;
    done.set(0);
    List<Future<T>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      futures.add(setup.submit(() -> {
        T t = call.apply(index);
        done.incrementAndGet();
        return t;
      }));
    }
    List<T> out = new ArrayList<>(n);
    try {
      for (Future<T> f : futures) {
        out.add(f.get());
      }
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    return out;
  }

  @Override
  public void close() {
    setup.shutdownNow();
    callbacks.shutdownNow();
  }
}
