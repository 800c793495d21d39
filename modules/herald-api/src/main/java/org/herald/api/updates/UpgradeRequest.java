package org.herald.api.updates;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.herald.api.common.Authenticator;

/**
 * The one request the public port answers without pekko-http: a plain, complete WebSocket
 * upgrade to {@code /v1/updates} (RFC 6455 4.2.1), read straight off the connection's bytes so
 * that an updates socket is not carried by an HTTP/1.1 server pipeline for its whole life
 * (docs/benchmarks.md, "connections").
 *
 * <p>Only the common, unambiguous form is recognised: {@code GET /v1/updates[?query] HTTP/1.1},
 * one {@code Host}, {@code Upgrade} naming {@code websocket}, {@code Connection} naming
 * {@code upgrade}, {@code Sec-WebSocket-Version: 13}, one {@code Sec-WebSocket-Key} of 16 bytes,
 * no body, no folded or malformed header lines. Anything else, and anything this class is
 * unsure of, is {@code null}: the connection then goes to pekko-http, whose route answers it
 * (the same upgrade, or the 400 or 401 it deserves). So this fast path never answers an
 * error of its own.
 */
final class UpgradeRequest {
  /** What every candidate starts with; a connection that does not is handed to HTTP at once. */
  private static final byte[] PREFIX = "GET /v1/updates".getBytes(StandardCharsets.US_ASCII);

  private static final ByteString END_OF_HEAD = ByteString.fromString("\r\n\r\n", StandardCharsets.US_ASCII);

  /** A longer head is never the plain upgrade: pekko-http answers it (431 or whatever it is). */
  static final int MAX_HEAD_BYTES = 8 * 1024;

  /** The bearer token, from {@code Authorization: Bearer} or else {@code ?token=}; may be null. */
  final String token;

  /** The client's {@code Sec-WebSocket-Key}. */
  final String key;

  private UpgradeRequest(String token, String key) {
    this.token = token;
    this.key = key;
  }

  /** What the first bytes of a connection say. */
  enum Verdict {
    /** Not an updates upgrade: pekko-http's. */
    HTTP,
    /** Could still be one: wait for more bytes. */
    MORE,
    /** The head is complete at {@link #headLength}. */
    COMPLETE
  }

  /** Whether {@code bytes} (the first of a connection) may be an updates upgrade, and if its head is in. */
  static Verdict verdict(ByteString bytes) {
    int n = Math.min(bytes.size(), PREFIX.length);
    for (int i = 0; i < n; i++) {
      if (bytes.apply(i) != PREFIX[i]) {
        return Verdict.HTTP;
      }
    }
    if (bytes.size() > PREFIX.length) {
      byte next = bytes.apply(PREFIX.length);
      if (next != ' ' && next != '?') {
        return Verdict.HTTP;
      }
    }
    if (headLength(bytes) > 0) {
      return Verdict.COMPLETE;
    }
    return bytes.size() >= MAX_HEAD_BYTES ? Verdict.HTTP : Verdict.MORE;
  }

  /** Bytes up to and including the blank line that ends the head, or 0 if it is not in yet. */
  static int headLength(ByteString bytes) {
    int at = bytes.indexOfSlice(END_OF_HEAD);
    return at < 0 || at + END_OF_HEAD.size() > MAX_HEAD_BYTES ? 0 : at + END_OF_HEAD.size();
  }

  /** The upgrade in {@code head} (exactly the head, blank line included), or null if it is not a plain one. */
  static UpgradeRequest parse(ByteString head) {
    // Request heads are ASCII; a byte outside it (obs-text) is left to pekko-http.
    for (int i = 0; i < head.size(); i++) {
      if (head.apply(i) < 0) {
        return null;
      }
    }
    String[] lines = head.decodeString(StandardCharsets.US_ASCII).split("\r\n", -1);
    // The head ends with an empty line, then the split's empty tail.
    if (lines.length < 3 || !lines[lines.length - 1].isEmpty() || !lines[lines.length - 2].isEmpty()) {
      return null;
    }
    String[] requestLine = lines[0].split(" ", -1);
    if (requestLine.length != 3 || !requestLine[0].equals("GET") || !requestLine[2].equals("HTTP/1.1")) {
      return null;
    }
    String target = requestLine[1];
    int q = target.indexOf('?');
    if (!(q < 0 ? target : target.substring(0, q)).equals("/v1/updates") || target.indexOf('#') >= 0) {
      return null;
    }
    String queryToken;
    try {
      queryToken = q < 0 ? null : queryParameter(target.substring(q + 1), "token");
    } catch (IllegalArgumentException e) {
      return null;
    }
    // The headers that decide the upgrade, each of which must come once: a repeated one is
    // left to pekko-http.
    Map<String, String> decisive = new HashMap<>();
    for (int i = 1; i < lines.length - 2; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (colon <= 0 || !isToken(line, colon)) {
        return null; // a folded line, a space before the colon, an empty or odd name
      }
      String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      switch (name) {
        case "host", "upgrade", "connection", "sec-websocket-version", "sec-websocket-key", "authorization" -> {
          if (decisive.put(name, value) != null) {
            return null;
          }
        }
        case "content-length" -> {
          if (!value.equals("0")) {
            return null; // a body
          }
        }
        case "transfer-encoding", "expect" -> {
          return null;
        }
        default -> {}
      }
    }
    String key = decisive.get("sec-websocket-key");
    if (!decisive.containsKey("host")
        || !listContains(decisive.get("upgrade"), "websocket")
        || !listContains(decisive.get("connection"), "upgrade")
        || !"13".equals(decisive.get("sec-websocket-version"))
        || !isNonce(key)) {
      return null;
    }
    // As the routes take it (RouteSupport.withToken): a Bearer header first, else ?token=.
    String bearer = Authenticator.bearerToken(decisive.get("authorization"));
    String token = bearer != null ? bearer : queryToken;
    return new UpgradeRequest(token, key);
  }

  /** The 101 response that accepts the upgrade (RFC 6455 4.2.2). */
  ByteString accepted() {
    return ByteString.fromString(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
            + WebSocketFrames.accept(key)
            + "\r\n\r\n",
        StandardCharsets.US_ASCII);
  }

  /** The first value of {@code name} in a query, decoded, or null; IllegalArgumentException if undecodable. */
  private static String queryParameter(String query, String name) {
    for (String pair : query.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Whether the header name before {@code colon} is an RFC 9110 token. */
  private static boolean isToken(String line, int colon) {
    for (int i = 0; i < colon; i++) {
      char c = line.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether a comma-separated header value (null if absent) names {@code item}, ignoring case. */
  private static boolean listContains(String value, String item) {
    if (value == null) {
      return false;
    }
    for (String part : value.split(",", -1)) {
      if (part.strip().equalsIgnoreCase(item)) {
        return true;
      }
    }
    return false;
  }

  /** A Sec-WebSocket-Key is the base64 of 16 bytes. */
  private static boolean isNonce(String key) {
    if (key == null || key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
