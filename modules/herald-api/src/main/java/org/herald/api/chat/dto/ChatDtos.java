package org.herald.api.chat.dto;

import java.util.List;
import java.util.Locale;
import org.herald.api.common.Json;
import org.herald.api.message.dto.MessageDtos.MessageDto;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.ChatReply.ChatView;
import org.herald.projection.dialogs.Dialog;

/** Bodies of chats and dialogs. */
public final class ChatDtos {
  private ChatDtos() {}

  /** A chat as its member sees it ({@code GET /v1/chats/{chatId}} and chat creation). */
  public record ChatResponse(
      String chatId,
      String kind,
      String title,
      String username,
      Boolean isPublic,
      String peerUserId,
      List<String> memberIds,
      int memberCount,
      String myRole,
      long lastMessageId,
      long pts,
      long readUpTo,
      String createdAt) {

    public static ChatResponse of(ChatView v, String callerId) {
      String peer = null;
      if (v.kind() == ChatKind.DIRECT) {
        peer = v.memberIds().stream().filter(id -> !id.equals(callerId)).findFirst().orElse(null);
      }
      return new ChatResponse(
          v.chatId(),
          v.kind().name().toLowerCase(Locale.ROOT),
          v.title(),
          v.username(),
          v.kind() == ChatKind.DIRECT ? null : v.isPublic(),
          peer,
          v.memberIds().isEmpty() ? null : v.memberIds(),
          v.memberCount(),
          v.myRole() == null ? null : v.myRole().name().toLowerCase(Locale.ROOT),
          v.lastMessageId(),
          v.pts(),
          v.myReadUpTo(),
          Json.time(v.createdAt()));
    }
  }

  public record DialogDto(
      String chatId,
      String kind,
      String title,
      String username,
      String peerUserId,
      String role,
      MessageDto lastMessage,
      long unreadCount,
      long readUpTo,
      long pts,
      String lastActivityAt,
      boolean muted,
      String mutedUntil) {
    /** {@code mutedUntil}: null when not muted, {@code Instant.MAX} when muted forever. */
    public static DialogDto of(Dialog d, java.time.Instant mutedUntil, java.time.Instant now) {
      boolean muted = mutedUntil != null && mutedUntil.isAfter(now);
      return new DialogDto(
          d.chatId(),
          d.kind(),
          d.title(),
          d.username(),
          d.peerUserId(),
          d.role(),
          d.lastMessage() == null ? null : MessageDto.of(d.lastMessage()),
          d.unreadCount(),
          d.readUpTo(),
          d.pts(),
          Json.time(d.lastActivityAt()),
          muted,
          muted && !mutedUntil.equals(java.time.Instant.MAX) ? Json.time(mutedUntil) : null);
    }
  }

  /** {@code state}: where a difference call picks up from (see docs/sync.md). */
  public record DialogsResponse(List<DialogDto> dialogs, String state) {}
}
