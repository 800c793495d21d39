package org.herald.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real HTTP and WebSocket client of the Herald API, as a test sees it: raw status and JSON. */
public final class HeraldClient {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  public HeraldClient(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** A status with its parsed JSON body (null when there is none). */
  public record Response(int status, JsonNode body, String raw) {
    public String text(String field) {
      return body.path(field).asText();
    }

    /** The error code of an error body. */
    public String errorCode() {
      return body == null ? null : body.path("error").path("code").asText(null);
    }

    public String errorMessage() {
      return body == null ? null : body.path("error").path("message").asText(null);
    }
  }

  public Response get(String path, String token) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  /** A raw answer: status, Content-Type and body text, for answers that are not JSON (CSV). */
  public record Text(int status, String contentType, String body) {}

  /** GET with an {@code Accept} header (null: none), answered as raw text. */
  public Text getText(String path, String token, String accept) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).GET().timeout(Duration.ofSeconds(30));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    if (accept != null) {
      builder.header("Accept", accept);
    }
    try {
      HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Text(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Response delete(String path, String token) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE(), token);
  }

  public Response put(String path, String token, Object body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : write(body))),
        token);
  }

  public Response patch(String path, String token, Object body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : write(body))),
        token);
  }

  public Response post(String path, String token, Object body) {
    return postRaw(path, token, body instanceof String s ? s : write(body));
  }

  public Response postRaw(String path, String token, String body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        token);
  }

  private URI uri(String path) {
    return URI.create(baseUrl + path);
  }

  private Response send(HttpRequest.Builder builder, String token) {
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    builder.timeout(Duration.ofSeconds(30));
    try {
      HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
      return new Response(r.statusCode(), body, r.body());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode json(Object... keysAndValues) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
    }
    return node;
  }

  /** An account created through the API: its user id and first device's session. */
  public record Account(String userId, String sessionId, String token, String username) {}

  public Account register(String username, String displayName, String password, String device) {
    Response r =
        post("/v1/accounts", null, Map.of("username", username, "displayName", displayName, "password", password, "deviceName", device));
    if (r.status() != 201) {
      throw new IllegalStateException("registration failed: " + r.status() + " " + r.raw());
    }
    return new Account(r.text("userId"), r.body().path("session").path("sessionId").asText(), r.body().path("session").path("token").asText(), username);
  }

  /** A new account with a unique username starting with {@code prefix}, on a "phone". */
  public Account registerUnique(String prefix) {
    String name = prefix + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    return register(name, name, "correct horse", "phone");
  }

  /** Sends a message (a fresh clientMessageId) and answers its messageId; anything but 201 fails. */
  public long sendText(Account sender, String chatId, String text, boolean silent) {
    Response r =
        post("/v1/chats/" + chatId + "/messages", sender.token(),
            Map.of("clientMessageId", java.util.UUID.randomUUID().toString(), "text", text, "silent", silent));
    if (r.status() != 201) {
      throw new AssertionError("send failed: " + r.status() + " " + r.raw());
    }
    return r.body().path("messageId").asLong();
  }

  public long sendText(Account sender, String chatId, String text) {
    return sendText(sender, chatId, text, false);
  }

  public Account login(String login, String password, String device) {
    Response r = post("/v1/sessions", null, Map.of("login", login, "password", password, "deviceName", device));
    if (r.status() != 201) {
      throw new IllegalStateException("login failed: " + r.status() + " " + r.raw());
    }
    return new Account(r.text("userId"), r.body().path("session").path("sessionId").asText(), r.body().path("session").path("token").asText(), login);
  }

  /** Opens the updates socket and waits for its {@code ready} frame. */
  public Socket connect(String token) {
    Socket socket = connectRaw("/v1/updates", token);
    socket.await(f -> f.path("type").asText().equals("ready"), Duration.ofSeconds(15));
    return socket;
  }

  /** The HTTP status a WebSocket upgrade gets: 101 when it succeeds. */
  public int connectRawStatus(String pathAndQuery, String token) {
    try {
      connectRaw(pathAndQuery, token).close();
      return 101;
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  public Socket connectRaw(String pathAndQuery, String token) {
    Socket socket = new Socket();
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    String wsUrl = baseUrl.replaceFirst("^http", "ws") + pathAndQuery;
    socket.ws = builder.buildAsync(URI.create(wsUrl), socket).join();
    return socket;
  }

  /** A WebSocket that records every text frame it receives. */
  public static final class Socket implements WebSocket.Listener {
    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket ws;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          frames.add(JSON.createObjectNode().put("type", "unparseable").put("raw", partial.toString()));
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }

    public void send(Object frame) {
      sendText(frame instanceof String s ? s : write(frame));
    }

    public void sendText(String text) {
      ws.sendText(text, true).join();
    }

    public void sendBinary(byte[] bytes) {
      ws.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame matching {@code predicate}; frames before it are kept in {@link #seen()}. */
    public JsonNode await(Predicate<JsonNode> predicate, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no matching frame within " + timeout + "; saw " + seen);
        }
        JsonNode frame;
        try {
          frame = frames.poll(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        if (frame == null) {
          continue;
        }
        seen.add(frame);
        if (predicate.test(frame)) {
          return frame;
        }
      }
    }

    /** Frames that arrive within {@code quiet} and match; for asserting that nothing came. */
    public List<JsonNode> drain(Predicate<JsonNode> predicate, Duration quiet) {
      List<JsonNode> matching = new ArrayList<>();
      long deadline = System.nanoTime() + quiet.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          JsonNode frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (frame != null) {
            seen.add(frame);
            if (predicate.test(frame)) {
              matching.add(frame);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return matching;
    }

    public List<JsonNode> seen() {
      return seen;
    }

    /** Completes with the close status when the server closes the socket. */
    public CompletableFuture<Integer> closed() {
      return closed;
    }

    public void close() {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        ws.abort();
      }
    }
  }
}
