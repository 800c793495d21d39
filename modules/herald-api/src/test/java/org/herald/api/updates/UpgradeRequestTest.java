package org.herald.api.updates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.herald.api.updates.UpgradeRequest.Verdict;
import org.junit.jupiter.api.Test;

class UpgradeRequestTest {
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  private static String head(String requestLine, String... headers) {
    StringBuilder b = new StringBuilder(requestLine).append("\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  private static String plain(String target, String... extra) {
    String[] base = {"Host: example.org", "Upgrade: websocket", "Connection: keep-alive, Upgrade", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return head("GET " + target + " HTTP/1.1", all);
  }

  private static UpgradeRequest parse(String head) {
    return UpgradeRequest.parse(ByteString.fromString(head, StandardCharsets.UTF_8));
  }

  @Test
  void aPlainUpgradeIsRecognisedWithItsQueryToken() {
    UpgradeRequest r = parse(plain("/v1/updates?x=1&token=a.b%2Ec&token=other"));
    assertNotNull(r);
    assertEquals("a.b.c", r.token, "the first token, decoded");
    assertEquals(KEY, r.key);
    String accepted = r.accepted().utf8String();
    // RFC 6455's own example of a key and its accept value.
    assertTrue(accepted.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), accepted);
    assertTrue(accepted.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), accepted);
    assertTrue(accepted.endsWith("\r\n\r\n"));
  }

  @Test
  void aBearerHeaderComesBeforeTheQueryAsInTheRoutes() {
    assertEquals("from.header", parse(plain("/v1/updates?token=from.query", "authorization: bearer from.header")).token);
    assertEquals("from.query", parse(plain("/v1/updates?token=from.query", "Authorization: Basic eDp5")).token);
    assertNull(parse(plain("/v1/updates")).token, "no token: authentication fails and the routes answer 401");
  }

  @Test
  void headerNamesAndTokensIgnoreCase() {
    String h = head("GET /v1/updates HTTP/1.1", "HOST: a", "upgrade: WebSocket", "CONNECTION: upgrade", "sec-websocket-key: " + KEY, "SEC-WEBSOCKET-VERSION: 13");
    assertNotNull(parse(h));
  }

  @Test
  void anythingButThePlainFormIsLeftToPekkoHttp() {
    assertNull(parse(plain("/v1/updates/x")), "another path");
    assertNull(parse(plain("/v1/updatesx")), "another path");
    assertNull(parse(plain("/v1/updates?token=%zz")), "an undecodable query");
    assertNull(parse(plain("/v1/updates").replace("HTTP/1.1", "HTTP/1.0")), "HTTP/1.0");
    assertNull(parse(plain("/v1/updates").replace("GET ", "POST ")), "not a GET");
    assertNull(parse(plain("/v1/updates", "Content-Length: 5")), "a body");
    assertNull(parse(plain("/v1/updates", "Transfer-Encoding: chunked")), "a body");
    assertNull(parse(plain("/v1/updates", "Host: twice")), "two hosts");
    assertNull(parse(plain("/v1/updates", "Sec-WebSocket-Key: " + KEY)), "two keys");
    assertNull(parse(plain("/v1/updates", "Upgrade: websocket")), "a repeated upgrade");
    assertNull(parse(plain("/v1/updates", "Authorization: Bearer a", "Authorization: Bearer b")), "two tokens");
    assertNull(parse(plain("/v1/updates", "X-Folded: a", " continued")), "a folded line");
    assertNull(parse(plain("/v1/updates", "Bad Name: x")), "a header name that is not a token");
    assertNull(parse(plain("/v1/updates", "User-Agent: Tëst")), "a byte outside ASCII");
    assertNull(parse(plain("/v1/updates").replace(KEY, "c2hvcnQ=")), "a key that is not 16 bytes");
    assertNull(parse(plain("/v1/updates").replace("Version: 13", "Version: 8")), "another version");
    assertNull(parse(plain("/v1/updates").replace("Upgrade: websocket", "Upgrade: h2c")), "another protocol");
    assertNull(parse(plain("/v1/updates").replace("keep-alive, Upgrade", "keep-alive")), "no Connection: upgrade");
  }

  @Test
  void theVerdictComesFromAsFewBytesAsPossible() {
    assertEquals(Verdict.HTTP, UpgradeRequest.verdict(bytes("P")), "a POST: HTTP at the first byte");
    assertEquals(Verdict.HTTP, UpgradeRequest.verdict(bytes("GET /v1/chats")));
    assertEquals(Verdict.HTTP, UpgradeRequest.verdict(bytes("GET /v1/updatesx")));
    assertEquals(Verdict.MORE, UpgradeRequest.verdict(bytes("GET /v1/upd")));
    assertEquals(Verdict.MORE, UpgradeRequest.verdict(bytes("GET /v1/updates?token=a HTTP/1.1\r\nHost: a\r\n")));
    String whole = plain("/v1/updates");
    assertEquals(Verdict.COMPLETE, UpgradeRequest.verdict(bytes(whole + "frames")));
    assertEquals(whole.length(), UpgradeRequest.headLength(bytes(whole + "frames")));
    String huge = "GET /v1/updates?token=" + "a".repeat(UpgradeRequest.MAX_HEAD_BYTES);
    assertEquals(Verdict.HTTP, UpgradeRequest.verdict(bytes(huge)), "a head too long for the fast path");
  }

  private static ByteString bytes(String s) {
    return ByteString.fromString(s, StandardCharsets.UTF_8);
  }
}
