package org.herald.api.message;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.herald.api.common.ApiException;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.Message;
import org.herald.domain.content.ContentCipher;
import org.herald.domain.content.ContentKey;
import org.herald.domain.content.ContentKeys;

/**
 * Opens sealed message content for a reader, the one place where stored text becomes clear: a
 * page's keys are fetched at once (cached per node), tombstones of deleted messages are left
 * out. A key that vanished between reading the page and opening it means the message was just
 * edited or deleted: the client is asked to retry, never shown garbage or a stale version.
 */
public final class ContentOpener {
  private final ContentKeys keys;

  public ContentOpener(ContentKeys keys) {
    this.keys = keys;
  }

  public CompletionStage<List<Message>> messages(String chatId, List<Message> messages) {
    List<Message> live = messages.stream().filter(m -> !m.deleted()).toList();
    return keysFor(live).thenApply(found -> live.stream().map(m -> open(chatId, m, found)).toList());
  }

  public CompletionStage<List<ChatUpdate>> updates(List<ChatUpdate> updates) {
    List<ChatUpdate> live = updates.stream().filter(u -> !ChatUpdate.isTombstone(u)).toList();
    List<Message> carried = new ArrayList<>();
    live.forEach(u -> {
      Message m = ChatUpdate.messageOf(u);
      if (m != null) {
        carried.add(m);
      }
    });
    return keysFor(carried)
        .thenApply(
            found ->
                live.stream()
                    .map(u -> {
                      Message m = ChatUpdate.messageOf(u);
                      return m == null ? u : ChatUpdate.withMessage(u, open(u.chatId(), m, found));
                    })
                    .toList());
  }

  /**
   * Opens one message of each of several chats ({@code chatIds.get(i)} holds
   * {@code messages.get(i)}) with one key lookup: a list view. An entry is null where there is
   * no message, it was deleted, or its key is gone (it changed a moment ago): one such entry
   * never fails the whole list.
   */
  public CompletionStage<List<Message>> eachOrNull(List<String> chatIds, List<Message> messages) {
    List<Message> present = messages.stream().filter(m -> m != null && !m.deleted()).toList();
    return keysFor(present)
        .thenApply(
            found -> {
              List<Message> opened = new ArrayList<>(messages.size());
              for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                boolean openable = m != null && !m.deleted() && (!m.isSealed() || found.containsKey(m.content().keyId()));
                opened.add(openable ? open(chatIds.get(i), m, found) : null);
              }
              return opened;
            });
  }

  /** Opens pending scheduled posts (sealed under their own keys, bound to their scheduled ids). */
  public CompletionStage<List<org.herald.domain.chat.ScheduledPost>> scheduled(
      String chatId, List<org.herald.domain.chat.ScheduledPost> posts) {
    Set<String> ids = new LinkedHashSet<>();
    posts.forEach(p -> ids.add(p.content().keyId()));
    CompletionStage<Map<String, ContentKey>> found = ids.isEmpty() ? CompletableFuture.completedFuture(Map.of()) : keys.find(ids);
    return found.thenApply(
        keys ->
            posts.stream()
                .map(p -> {
                  ContentKey key = keys.get(p.content().keyId());
                  if (key == null) {
                    throw ApiException.unavailable("scheduled post " + p.scheduledId() + " changed while it was read; retry", 1);
                  }
                  return p.opened(ContentCipher.openScheduled(key, p.content(), chatId, p.scheduledId()));
                })
                .toList());
  }

  private CompletionStage<Map<String, ContentKey>> keysFor(List<Message> messages) {
    Set<String> ids = new LinkedHashSet<>();
    messages.forEach(m -> {
      if (m.isSealed()) {
        ids.add(m.content().keyId());
      }
    });
    return ids.isEmpty() ? CompletableFuture.completedFuture(Map.of()) : keys.find(ids);
  }

  private static Message open(String chatId, Message m, Map<String, ContentKey> found) {
    if (!m.isSealed()) {
      return m; // written before content was sealed, or already clear (a live update)
    }
    ContentKey key = found.get(m.content().keyId());
    if (key == null) {
      throw ApiException.unavailable("message " + m.messageId() + " changed while it was read; retry", 1);
    }
    return m.opened(ContentCipher.open(key, m.content(), chatId, m.messageId()));
  }
}
