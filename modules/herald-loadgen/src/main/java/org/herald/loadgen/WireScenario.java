package org.herald.loadgen;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes on the wire for one small message ("hello") between two users, counted on raw sockets:
 * over HTTP, the {@code POST /v1/chats/{id}/messages} request as a typical client writes it and
 * its whole response; over the updates socket, the upgrade handshake (once per connection), the
 * sender's masked {@code send} frame, its {@code sent} ack and the echo of its own message (when
 * the server sends one), and the receiver's {@code message.new} frame.
 */
final class WireScenario implements Scenario {
  static final String TEXT = "hello";

  @Override
  public String name() {
    return "wire";
  }

  @Override
  public String summary() {
    return "bytes on the wire per small message, over HTTP and over the updates socket";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    BenchClient client = context.client();
    List<BenchUser> users = context.setUp(name(), () -> client.createUsers(2));
    BenchUser sender = users.get(0);
    BenchUser receiver = users.get(1);
    String chatId = client.directChat(sender, receiver);
    URI base = URI.create(context.baseUrl());
    String host = base.getHost();
    int port = base.getPort() < 0 ? 80 : base.getPort();
    String hostHeader = host + ":" + port;

    RawWire.Exchange http;
    try (RawWire w = new RawWire(host, port)) {
      byte[] body = ("{\"clientMessageId\":\"wire-http-1\",\"text\":\"" + TEXT + "\"}").getBytes(StandardCharsets.UTF_8);
      String head = "POST /v1/chats/" + chatId + "/messages HTTP/1.1\r\n"
          + "Host: " + hostHeader + "\r\n"
          + "User-Agent: herald-bench/1\r\n"
          + "Accept: application/json\r\n"
          + "Authorization: Bearer " + sender.token() + "\r\n"
          + "Content-Type: application/json\r\n"
          + "Content-Length: " + body.length;
      http = w.exchange(head, body);
      if (http.status() / 100 != 2) {
        throw new IllegalStateException("POST messages answered " + http.status() + ": " + http.body());
      }
    }

    Map<String, Object> figures = new LinkedHashMap<>();
    try (RawWire a = new RawWire(host, port); RawWire b = new RawWire(host, port)) {
      RawWire.Exchange hsA = a.upgrade(hostHeader, "/v1/updates?token=" + sender.token());
      RawWire.Exchange hsB = b.upgrade(hostHeader, "/v1/updates?token=" + receiver.token());
      if (hsA.status() != 101 || hsB.status() != 101) {
        throw new IllegalStateException("the updates socket answered " + hsA.status() + "/" + hsB.status() + " to the upgrade");
      }
      a.readUntil("ready");
      b.readUntil("ready");
      int send = a.sendText("{\"type\":\"send\",\"chatId\":\"" + chatId + "\",\"clientMessageId\":\"wire-ws-1\",\"text\":\"" + TEXT + "\"}");
      RawWire.Frame delivered = b.readUntil("message.new");
      int sent = 0;
      int echo = 0;
      // The ack and the sender's copy of its own message may come in either order.
      a.timeout(2_000);
      for (int i = 0; i < 2; i++) {
        try {
          RawWire.Frame f = a.readFrame();
          if (Frames.is(f.text(), "type", "sent")) {
            sent = f.wireBytes();
          } else if (Frames.is(f.text(), "type", "message.new")) {
            echo = f.wireBytes();
          }
        } catch (SocketTimeoutException e) {
          break;
        }
      }
      if (sent == 0) {
        throw new IllegalStateException("no sent ack on the updates socket within 2 s");
      }
      figures.put("text", TEXT);
      figures.put("http_request_bytes", http.requestBytes());
      figures.put("http_response_bytes", http.responseBytes());
      figures.put("ws_handshake_request_bytes", hsA.requestBytes());
      figures.put("ws_handshake_response_bytes", hsA.responseBytes());
      figures.put("ws_send_frame_bytes", send);
      figures.put("ws_sent_frame_bytes", sent);
      figures.put("ws_own_echo_frame_bytes", echo);
      figures.put("ws_delivered_frame_bytes", delivered.wireBytes());
      figures.put("http_sender_bytes", http.requestBytes() + http.responseBytes());
      figures.put("ws_sender_bytes", send + sent + echo);
      figures.put("receiver_bytes", delivered.wireBytes());
    }
    Map<String, String> line = new LinkedHashMap<>();
    line.put("http_sender_bytes", figures.get("http_sender_bytes").toString());
    line.put("ws_sender_bytes", figures.get("ws_sender_bytes").toString());
    line.put("receiver_bytes", figures.get("receiver_bytes").toString());
    line.put("ws_handshake_bytes",
        Integer.toString((int) figures.get("ws_handshake_request_bytes") + (int) figures.get("ws_handshake_response_bytes")));
    return new ScenarioResult(name(), figures, line, Map.of(), List.of(), null);
  }
}
