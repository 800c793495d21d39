package org.herald.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.herald.chaos.Api.Outcome;
import org.herald.chaos.Checker.ServerChat;
import org.herald.chaos.Checker.StoredMessage;
import org.herald.chaos.Checker.StoredUpdate;
import org.herald.chaos.Workload.Chat;

/**
 * Reads every chat back through the API, as its prober (a member) would: all pages of
 * {@code GET …/messages} from messageId 1 and of {@code GET …/updates?afterPts=} from 0. Failed pages
 * (a 503 while older pages are still being indexed, a node restarting) are retried on the
 * other nodes until a deadline; a chat that still cannot be read is reported, not skipped.
 */
final class ServerReader {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int HISTORY_PAGE = 100;
  private static final int UPDATES_PAGE = 1000;

  /** The chats read, and for each chat that could not be read, why. */
  record Read(Map<String, ServerChat> chats, Map<String, String> unreadable) {}

  private final Api api;
  private final List<String> urls;
  private final Workload workload;
  private String lastFailure;

  ServerReader(Api api, List<String> urls, Workload workload) {
    this.api = api;
    this.urls = urls;
    this.workload = workload;
  }

  Read readAll(Duration perChat) {
    Map<String, ServerChat> chats = new TreeMap<>();
    Map<String, String> unreadable = new TreeMap<>();
    for (Chat chat : workload.chats) {
      ServerChat read = read(chat, System.nanoTime() + perChat.toNanos());
      if (read != null) {
        chats.put(chat.chatId(), read);
      } else {
        unreadable.put(chat.chatId(), lastFailure);
      }
    }
    return new Read(chats, unreadable);
  }

  private ServerChat read(Chat chat, long deadline) {
    String token = workload.accounts.get(chat.prober()).token();
    List<StoredMessage> history = new ArrayList<>();
    // From the first message forward: afterId=0, then after the last one read.
    long afterId = 0;
    while (true) {
      String path = "/v1/chats/" + chat.chatId() + "/messages?afterId=" + afterId + "&limit=" + HISTORY_PAGE;
      JsonNode page = page(path, token, deadline);
      if (page == null) {
        return null;
      }
      JsonNode messages = page.path("messages");
      if (messages.isEmpty()) {
        break;
      }
      for (JsonNode m : messages) {
        history.add(new StoredMessage(m.path("messageId").asLong(), m.path("senderId").asText(), m.path("text").asText(null)));
      }
      long last = messages.get(messages.size() - 1).path("messageId").asLong();
      if (last <= afterId) {
        // Out of order: the checker reports it; reading on from here could loop forever.
        break;
      }
      afterId = last;
    }
    List<StoredUpdate> updates = new ArrayList<>();
    long afterPts = 0;
    long pts;
    while (true) {
      JsonNode page = page("/v1/chats/" + chat.chatId() + "/updates?afterPts=" + afterPts + "&limit=" + UPDATES_PAGE, token, deadline);
      if (page == null) {
        return null;
      }
      pts = page.path("pts").asLong();
      JsonNode list = page.path("updates");
      for (JsonNode u : list) {
        updates.add(new StoredUpdate(u.path("pts").asLong(), u.path("type").asText(), u.path("message").path("messageId").asLong(0)));
      }
      long last = list.isEmpty() ? afterPts : list.get(list.size() - 1).path("pts").asLong();
      if (list.size() < UPDATES_PAGE || last >= pts || last <= afterPts) {
        break;
      }
      afterPts = last;
    }
    return new ServerChat(chat.chatId(), history, updates, pts);
  }

  private JsonNode page(String path, String token, long deadline) {
    for (int attempt = 0; ; attempt++) {
      Outcome o = api.get(urls.get(attempt % urls.size()), path, token, TIMEOUT);
      if (o.ok()) {
        return o.body();
      }
      lastFailure = path + ": " + o.detail();
      if (o.failure() == Api.ErrorKind.REJECTED || System.nanoTime() > deadline) {
        return null;
      }
      Threads.sleep(500);
    }
  }
}
