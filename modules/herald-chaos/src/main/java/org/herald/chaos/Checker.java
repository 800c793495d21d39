package org.herald.chaos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Holds what clients were told against what the server stores, with no I/O: the run reads the
 * histories through the API and hands them here, and unit tests hand it made-up ones.
 *
 * <ul>
 *   <li><b>lost</b>: an acknowledged message (chat, clientMessageId) that is not in its chat's
 *       history, or is there under another messageId, or whose {@code message.new} has another
 *       pts than the acknowledgement said; any acknowledgement of it counts (a late second answer
 *       too);
 *   <li><b>duplicates</b>: every copy beyond the first of a clientMessageId in a history;
 *   <li><b>gaps</b>: each place where a chat's messageIds (history) or pts (updates from 0) do not
 *       go up by exactly one, updates that end below the chat's pts, and a history that lists
 *       other messages than the updates' {@code message.new}. The run never edits or deletes,
 *       so a catch-up answer skips no numbers: any skip is a gap;
 *   <li><b>diverged</b>: clients whose own copy of any of their chats (pts, and every message's
 *       id and text) differs from the server's after their final catch-up.
 * </ul>
 *
 * Chats the run could not read are reported, and their acknowledged messages counted as
 * <b>unverified</b>, never as fine.
 */
final class Checker {
  private static final int MAX_FINDINGS = 50;

  private Checker() {}

  record StoredMessage(long messageId, String senderId, String text) {}

  /** One entry of {@code updates?afterPts=}: its pts, type and, for messages, messageId (else 0). */
  record StoredUpdate(long pts, String type, long messageId) {}

  /** A chat as the server answers it: full history, every update from pts 0, and its pts. */
  record ServerChat(String chatId, List<StoredMessage> history, List<StoredUpdate> updates, long pts) {}

  /** One chat as a client synced it. */
  record ClientChat(long pts, Map<Long, String> messages) {}

  record ClientState(String client, Map<String, ClientChat> chats) {}

  /**
   * @param acked distinct acknowledged messages (chat and clientMessageId)
   * @param stored messages in the histories that the run sent
   * @param storedUnacked of those, sends the run never saw acknowledged (given up at the end)
   * @param unverified acknowledged messages in chats that could not be read
   * @param findings the first few problems, one line each, for the report
   */
  record Verdict(
      long acked,
      long lost,
      long duplicates,
      long gaps,
      long diverged,
      long stored,
      long storedUnacked,
      long unverified,
      List<String> unreadableChats,
      List<String> findings) {
    boolean clean() {
      return lost == 0 && duplicates == 0 && gaps == 0 && diverged == 0 && unverified == 0 && unreadableChats.isEmpty();
    }
  }

  /** The clientMessageId a text of the run carries ({@code "chaos <id>"}), or null. */
  static String clientMessageIdOf(String text) {
    return text != null && text.startsWith("chaos ") ? text.substring("chaos ".length()) : null;
  }

  static Verdict check(
      Collection<Ledger.Ack> acks, Map<String, ServerChat> server, Collection<String> unreadable, Collection<ClientState> clients) {
    List<String> findings = new ArrayList<>();
    long gaps = 0;
    long duplicates = 0;
    long stored = 0;
    // chatId -> clientMessageId -> messageIds stored under it, in history order
    Map<String, Map<String, List<Long>>> byClientId = new HashMap<>();
    // chatId -> messageId -> pts of its message.new
    Map<String, Map<Long, Long>> ptsOf = new HashMap<>();

    for (ServerChat chat : server.values()) {
      Map<String, List<Long>> ids = new HashMap<>();
      long previous = 0;
      for (StoredMessage m : chat.history()) {
        if (m.messageId() != previous + 1) {
          gaps++;
          note(findings, "gap: chat %s history has messageId %d after %d", chat.chatId(), m.messageId(), previous);
        }
        previous = m.messageId();
        String clientMessageId = clientMessageIdOf(m.text());
        if (clientMessageId != null) {
          stored++;
          ids.computeIfAbsent(clientMessageId, k -> new ArrayList<>()).add(m.messageId());
        }
      }
      for (Map.Entry<String, List<Long>> e : ids.entrySet()) {
        if (e.getValue().size() > 1) {
          duplicates += e.getValue().size() - 1;
          note(findings, "duplicate: chat %s stores %s %d times, as messageIds %s", chat.chatId(), e.getKey(), e.getValue().size(), e.getValue());
        }
      }
      byClientId.put(chat.chatId(), ids);

      Map<Long, Long> pts = new HashMap<>();
      previous = 0;
      for (StoredUpdate u : chat.updates()) {
        if (u.pts() != previous + 1) {
          gaps++;
          note(findings, "gap: chat %s updates have pts %d after %d", chat.chatId(), u.pts(), previous);
        }
        previous = u.pts();
        if (u.type().equals("message.new")) {
          pts.put(u.messageId(), u.pts());
        }
      }
      if (previous != chat.pts()) {
        gaps++;
        note(findings, "gap: chat %s updates end at pts %d but the chat is at pts %d", chat.chatId(), previous, chat.pts());
      }
      Set<Long> inHistory = new HashSet<>();
      chat.history().forEach(m -> inHistory.add(m.messageId()));
      if (!inHistory.equals(pts.keySet())) {
        gaps++;
        Set<Long> onlyHistory = minus(inHistory, pts.keySet());
        Set<Long> onlyUpdates = minus(pts.keySet(), inHistory);
        note(findings, "gap: chat %s history and updates disagree: only in history %s, only in updates %s", chat.chatId(), onlyHistory, onlyUpdates);
      }
      ptsOf.put(chat.chatId(), pts);
    }

    // Every answer a client got, grouped by the message it answered.
    Map<List<String>, List<Ledger.Ack>> answers = new LinkedHashMap<>();
    for (Ledger.Ack a : acks) {
      answers.computeIfAbsent(List.of(a.chatId(), a.clientMessageId()), k -> new ArrayList<>()).add(a);
    }
    long lost = 0;
    long unverified = 0;
    Set<List<String>> ackedKeys = answers.keySet();
    for (Map.Entry<List<String>, List<Ledger.Ack>> e : answers.entrySet()) {
      String chatId = e.getKey().get(0);
      String clientMessageId = e.getKey().get(1);
      Map<String, List<Long>> ids = byClientId.get(chatId);
      if (ids == null) {
        unverified++;
        continue;
      }
      List<Long> storedAs = ids.getOrDefault(clientMessageId, List.of());
      String problem = null;
      for (Ledger.Ack a : e.getValue()) {
        if (storedAs.isEmpty()) {
          problem = String.format("lost: chat %s has no %s (acknowledged as messageId %d, pts %d)", chatId, clientMessageId, a.messageId(), a.pts());
        } else if (!storedAs.contains(a.messageId())) {
          problem = String.format("lost: chat %s stores %s as messageId %s, acknowledged as %d", chatId, clientMessageId, storedAs, a.messageId());
        } else {
          Long pts = ptsOf.get(chatId).get(a.messageId());
          if (pts != null && pts != a.pts()) {
            problem = String.format("lost: chat %s has %s (messageId %d) at pts %d, acknowledged at pts %d", chatId, clientMessageId, a.messageId(), pts, a.pts());
          }
        }
        if (problem != null) {
          break;
        }
      }
      if (problem != null) {
        lost++;
        note(findings, "%s", problem);
      }
    }
    long storedUnacked = 0;
    for (Map.Entry<String, Map<String, List<Long>>> chat : byClientId.entrySet()) {
      for (String clientMessageId : chat.getValue().keySet()) {
        if (!ackedKeys.contains(List.of(chat.getKey(), clientMessageId))) {
          storedUnacked++;
        }
      }
    }

    long diverged = 0;
    for (ClientState client : clients) {
      String difference = null;
      for (Map.Entry<String, ClientChat> e : client.chats().entrySet()) {
        ServerChat chat = server.get(e.getKey());
        if (chat == null) {
          continue;
        }
        difference = difference(chat, e.getValue());
        if (difference != null) {
          difference = "diverged: client " + client.client() + ", chat " + chat.chatId() + ": " + difference;
          break;
        }
      }
      if (difference != null) {
        diverged++;
        note(findings, "%s", difference);
      }
    }
    return new Verdict(
        answers.size(), lost, duplicates, gaps, diverged, stored, storedUnacked, unverified, List.copyOf(unreadable), List.copyOf(findings));
  }

  /** How a client's copy differs from the server's chat, or null when it does not. */
  private static String difference(ServerChat chat, ClientChat mine) {
    if (mine.pts() != chat.pts()) {
      return "pts " + mine.pts() + ", server " + chat.pts();
    }
    Map<Long, String> theirs = new TreeMap<>();
    chat.history().forEach(m -> theirs.put(m.messageId(), m.text()));
    if (theirs.equals(new TreeMap<>(mine.messages()))) {
      return null;
    }
    for (Map.Entry<Long, String> m : theirs.entrySet()) {
      String text = mine.messages().get(m.getKey());
      if (!Objects.equals(text, m.getValue())) {
        return text == null
            ? "misses messageId " + m.getKey()
            : "messageId " + m.getKey() + " reads '" + text + "', server '" + m.getValue() + "'";
      }
    }
    for (Long id : mine.messages().keySet()) {
      if (!theirs.containsKey(id)) {
        return "has messageId " + id + " ('" + mine.messages().get(id) + "') that the server does not";
      }
    }
    return "messages differ";
  }

  private static void note(List<String> findings, String format, Object... args) {
    if (findings.size() < MAX_FINDINGS) {
      findings.add(String.format(java.util.Locale.ROOT, format, args));
    }
  }

  /** {@code a} without {@code b}, sorted, for readable findings. */
  private static Set<Long> minus(Set<Long> a, Set<Long> b) {
    Set<Long> out = new java.util.TreeSet<>(a);
    out.removeAll(b);
    return out;
  }
}
