package org.herald.api.message;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.herald.api.common.Chats;
import org.herald.domain.chat.ChatCommand;
import org.herald.domain.chat.ChatReply;

/**
 * This node's sends to each chat, at most one ask in flight per chat. A chat writes one command
 * at a time (it handles the next only once the last is committed), so sends that arrive while
 * one is being written would each wait for a journal write of their own; here they wait
 * together, and go to the chat as one {@link ChatCommand.SendMessages} as soon as the ask in
 * flight is answered: one write for all of them. A send to a chat with nothing in flight goes
 * straight to it as a {@link ChatCommand.SendMessage}, so a quiet chat pays nothing for this.
 *
 * <p>Order is kept: a chat's sends leave in the order they arrived here. A batch holds at most
 * {@code maxSends} sends and {@link #MAX_BATCH_CHARS} characters of text (so that it stays well
 * inside a remote message's size limit when the chat lives on another node). A send that waited
 * here longer than the ask timeout fails like an ask that timed out, and is not sent.
 * {@code herald_messages_send_batch_sends} counts the sends of each command this node sent a
 * chat (1 for a send that went on its own).
 */
public final class SendBatching {
  /** Characters of text in one batch: at most 3 bytes each in UTF-8, so under 100 KiB. */
  static final int MAX_BATCH_CHARS = 32 * 1024;

  private final Chats chats;
  private final int maxSends;
  private final Duration timeout;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final DistributionSummary batchSizes;

  /** {@code maxSends}: the largest batch; 1 sends every message on its own, as it arrives. */
  public SendBatching(Chats chats, int maxSends, Duration timeout, MeterRegistry registry) {
    if (maxSends < 1) {
      throw new IllegalArgumentException("herald.api.send-batch must be at least 1, got " + maxSends);
    }
    this.chats = chats;
    this.maxSends = maxSends;
    this.timeout = timeout;
    this.batchSizes =
        DistributionSummary.builder("herald.messages.send.batch.sends")
            .description("Sends in each command this node's API sent a chat (sends that waited for the chat go together)")
            .register(registry);
  }

  /** The chat's answer to {@code send} (its {@code replyTo} unused): accepted, or failed with the API error. */
  public CompletionStage<ChatReply.MessageAccepted> send(String chatId, ChatCommand.SendMessage send) {
    if (maxSends == 1) {
      return askOne(chatId, send);
    }
    Waiting waiting = new Waiting(send);
    boolean[] first = new boolean[1];
    lanes.compute(
        chatId,
        (id, lane) -> {
          if (lane == null) {
            first[0] = true;
            return new Lane();
          }
          lane.queue.add(waiting);
          return lane;
        });
    if (first[0]) {
      dispatch(chatId, List.of(waiting));
      return waiting.answer;
    }
    return waiting.answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private CompletionStage<ChatReply.MessageAccepted> askOne(String chatId, ChatCommand.SendMessage send) {
    batchSizes.record(1);
    return chats.ask(
        chatId,
        ChatReply.MessageAccepted.class,
        replyTo ->
            new ChatCommand.SendMessage(
                send.senderId(), send.clientMessageId(), send.text(), send.silent(), send.replyToMessageId(), replyTo));
  }

  /** The ask in flight for the chat was answered: send what waited, or let the chat go quiet. */
  private void next(String chatId) {
    List<Waiting> batch = new ArrayList<>();
    lanes.computeIfPresent(
        chatId,
        (id, lane) -> {
          int chars = 0;
          while (!lane.queue.isEmpty() && batch.size() < maxSends) {
            Waiting w = lane.queue.peek();
            if (w.answer.isDone()) { // timed out while it waited: the client has its error
              lane.queue.poll();
              continue;
            }
            int length = w.send.text() == null ? 0 : w.send.text().length();
            if (!batch.isEmpty() && chars + length > MAX_BATCH_CHARS) {
              break;
            }
            chars += length;
            batch.add(lane.queue.poll());
          }
          return batch.isEmpty() ? null : lane;
        });
    if (!batch.isEmpty()) {
      dispatch(chatId, batch);
    }
  }

  /**
   * Asks the chat: one send as a {@link ChatCommand.SendMessage}, several as one
   * {@link ChatCommand.SendMessages}. The answer first lets out what waited meanwhile, then
   * completes each send with its own answer (a rejection or a failed ask fails it).
   */
  private void dispatch(String chatId, List<Waiting> batch) {
    CompletionStage<? extends ChatReply> asked;
    if (batch.size() == 1) {
      asked = askOne(chatId, batch.get(0).send);
    } else {
      List<ChatCommand.SendMessage> sends = batch.stream().map(w -> w.send).toList();
      batchSizes.record(sends.size());
      asked = chats.ask(chatId, ChatReply.SendsAnswered.class, replyTo -> new ChatCommand.SendMessages(sends, replyTo));
    }
    asked.whenComplete(
        (reply, failure) -> {
          next(chatId);
          for (int i = 0; i < batch.size(); i++) {
            ChatReply answer = failure != null ? null : reply instanceof ChatReply.SendsAnswered all ? all.answer(i) : reply;
            if (answer instanceof ChatReply.MessageAccepted accepted) {
              batch.get(i).answer.complete(accepted);
            } else {
              batch.get(i).answer.completeExceptionally(failure != null ? failure : Chats.unexpected(answer));
            }
          }
        });
  }

  /** A chat with an ask in flight, and the sends that arrived since, in order. */
  private static final class Lane {
    final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  }

  private static final class Waiting {
    final ChatCommand.SendMessage send;
    final CompletableFuture<ChatReply.MessageAccepted> answer = new CompletableFuture<>();

    Waiting(ChatCommand.SendMessage send) {
      this.send = send;
    }
  }
}
