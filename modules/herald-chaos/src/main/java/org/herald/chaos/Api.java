package org.herald.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The public HTTP API as a client sees it: every call ends in an {@link Outcome}, a status with
 * its JSON body or the kind of failure, never an exception. One shared client (HTTP/1.1, its
 * own connection pool) serves every simulated user.
 */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What went wrong with a call, as the run's error table counts it. */
  enum ErrorKind {
    TIMEOUT("timeout"),
    UNAVAILABLE("503 UNAVAILABLE"),
    FLOOD_WAIT("429 FLOOD_WAIT"),
    CONNECTION_REFUSED("connection refused"),
    CONNECTION_DROPPED("connection dropped"),
    SERVER_ERROR("other 5xx"),
    SOCKET_CLOSED("socket closed"),
    SOCKET_STALLED("socket stalled (no pong)"),
    REJECTED("4xx"),
    OTHER("other");

    final String label;

    ErrorKind(String label) {
      this.label = label;
    }
  }

  /** A status and body ({@code failure} null), or a failure without an answer (status 0). */
  record Outcome(int status, JsonNode body, ErrorKind failure, Integer retryAfterSeconds, String detail) {
    boolean ok() {
      return failure == null;
    }

    static Outcome failed(ErrorKind kind, String detail) {
      return new Outcome(0, null, kind, null, detail);
    }
  }

  private final ExecutorService executor;
  private final HttpClient http;

  Api() {
    // Daemon threads: a run that ends abnormally must not be kept alive by the client's pool.
    executor = Executors.newCachedThreadPool(Threads.daemon("http"));
    http =
        HttpClient.newBuilder()
            .executor(executor)
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  HttpClient http() {
    return http;
  }

  Outcome get(String baseUrl, String path, String token, Duration timeout) {
    return call(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET(), token, timeout);
  }

  Outcome post(String baseUrl, String path, String token, Object body, Duration timeout) {
    return call(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(write(body))),
        token,
        timeout);
  }

  private Outcome call(HttpRequest.Builder builder, String token, Duration timeout) {
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    builder.timeout(timeout);
    HttpResponse<String> r;
    try {
      r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      return Outcome.failed(ErrorKind.TIMEOUT, e.getMessage());
    } catch (ConnectException e) {
      return Outcome.failed(ErrorKind.CONNECTION_REFUSED, e.toString());
    } catch (IOException e) {
      return Outcome.failed(ioKind(e), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.failed(ErrorKind.OTHER, "interrupted");
    }
    JsonNode body;
    try {
      body = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
    } catch (IOException e) {
      return new Outcome(r.statusCode(), null, r.statusCode() / 100 == 2 ? ErrorKind.OTHER : kindOf(r.statusCode(), null),
          null, "unparseable body: " + r.body());
    }
    if (r.statusCode() / 100 == 2) {
      return new Outcome(r.statusCode(), body, null, null, null);
    }
    JsonNode error = body == null ? null : body.path("error");
    String code = error == null ? null : error.path("code").asText(null);
    Integer retryAfter = error != null && error.hasNonNull("retryAfterSeconds") ? error.get("retryAfterSeconds").asInt() : null;
    return new Outcome(r.statusCode(), body, kindOf(r.statusCode(), code), retryAfter, r.statusCode() + " " + code);
  }

  /** The kind of an error status (HTTP) or error code (a socket's error frame: status 0). */
  static ErrorKind kindOf(int status, String code) {
    if ("UNAVAILABLE".equals(code) || (status == 503 && code == null)) {
      return ErrorKind.UNAVAILABLE;
    }
    if ("FLOOD_WAIT".equals(code) || status == 429) {
      return ErrorKind.FLOOD_WAIT;
    }
    if (status >= 500 || "INTERNAL".equals(code)) {
      return ErrorKind.SERVER_ERROR;
    }
    if (status >= 400 || code != null) {
      return ErrorKind.REJECTED;
    }
    return ErrorKind.OTHER;
  }

  /** An I/O failure without an answer: the peer went away (killed, restarted) or something else. */
  static ErrorKind ioKind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return ErrorKind.CONNECTION_REFUSED;
      }
      if (t instanceof HttpTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
        return ErrorKind.TIMEOUT;
      }
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("refused")) {
        return ErrorKind.CONNECTION_REFUSED;
      }
      if (m.contains("reset") || m.contains("closed") || m.contains("eof") || m.contains("no bytes") || m.contains("broken pipe")) {
        return ErrorKind.CONNECTION_DROPPED;
      }
    }
    return ErrorKind.OTHER;
  }

  static String write(Object value) {
    try {
      return value instanceof String s ? s : JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  void close() {
    executor.shutdownNow();
  }
}
