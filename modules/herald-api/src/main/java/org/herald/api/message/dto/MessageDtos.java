package org.herald.api.message.dto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.herald.api.common.ApiException;
import org.herald.api.common.Body;
import org.herald.api.common.Json;
import org.herald.domain.chat.ChatUpdate;
import org.herald.domain.chat.Message;
import org.herald.domain.common.Limits;

/** Message and update bodies, shared by HTTP and the updates socket. */
public final class MessageDtos {
  private MessageDtos() {}

  /**
   * A send, from {@code POST …/messages} or a socket {@code send} frame; with {@code scheduleAt}
   * (HTTP only) it schedules the post instead.
   */
  public record SendMessageRequest(
      String clientMessageId, String text, boolean silent, Long replyToMessageId, java.time.Instant scheduleAt) {
    public static SendMessageRequest from(Body body) {
      String clientMessageId = body.requiredString("clientMessageId");
      if (clientMessageId.isEmpty() || clientMessageId.length() > Limits.MAX_CLIENT_MESSAGE_ID_LENGTH) {
        throw ApiException.badRequest(
            "clientMessageId must be 1-" + Limits.MAX_CLIENT_MESSAGE_ID_LENGTH + " characters");
      }
      String text = body.requiredText("text");
      Long replyTo = body.optionalLong("replyToMessageId");
      if (replyTo != null && replyTo < 1) {
        throw ApiException.badRequest("replyToMessageId must be a positive message id");
      }
      return new SendMessageRequest(
          clientMessageId, text, body.optionalBoolean("silent", false), replyTo, parseScheduleAt(body));
    }
  }

  /** {@code scheduleAt} as an ISO-8601 instant ({@code 2026-11-22T18:00:00Z}); null when absent. */
  private static java.time.Instant parseScheduleAt(Body body) {
    String value = body.optionalString("scheduleAt");
    if (value == null) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(value).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiException.of(
          org.herald.domain.common.Rejection.onField(
              org.herald.domain.common.ErrorCode.SCHEDULE_DATE_INVALID, "scheduleAt",
              "scheduleAt must be an ISO-8601 date and time with an offset, like 2026-11-22T18:00:00Z"));
    }
  }

  /** {@code PATCH …/scheduled/{scheduledId}}: a new text and/or time. */
  public record EditScheduledRequest(String text, java.time.Instant scheduleAt) {
    public static EditScheduledRequest from(Body body) {
      String text = body.optionalText("text");
      java.time.Instant at = parseScheduleAt(body);
      if (text == null && at == null) {
        throw ApiException.badRequest("text or scheduleAt is required");
      }
      return new EditScheduledRequest(text, at);
    }
  }

  /** A pending scheduled post as its author (or a channel admin) sees it. */
  public record ScheduledPostDto(
      long scheduledId,
      String authorId,
      String text,
      String scheduleAt,
      boolean silent,
      Long replyToMessageId,
      String date,
      String editDate) {
    public static ScheduledPostDto of(org.herald.domain.chat.ScheduledPost p) {
      return new ScheduledPostDto(
          p.scheduledId(), p.authorId(), p.text(), Json.time(p.dueAt()), p.silent(), p.replyToMessageId(),
          Json.time(p.createdAt()), Json.time(p.editedAt()));
    }
  }

  public record ScheduledListResponse(List<ScheduledPostDto> scheduled) {}

  public record SentResponse(long messageId, long pts, String date) {}

  /** {@code PATCH …/messages/{messageId}}: the new text. */
  public record EditMessageRequest(String text) {
    public static EditMessageRequest from(Body body) {
      return new EditMessageRequest(body.requiredText("text"));
    }
  }

  public record EditedResponse(long messageId, long pts, String editDate) {}

  public record MessageDto(
      long messageId,
      String senderId,
      String text,
      String date,
      String editDate,
      boolean silent,
      Long replyToMessageId,
      Long views,
      Boolean fromScheduled) {
    public static MessageDto of(Message m) {
      return of(m, null);
    }

    /** {@code views}: the post's counted views, null where views are not shown (direct chats). */
    public static MessageDto of(Message m, Long views) {
      return new MessageDto(
          m.messageId(),
          m.senderId(),
          m.text(),
          Json.time(m.date()),
          Json.time(m.editDate()),
          m.silent(),
          m.replyToMessageId(),
          views,
          m.fromScheduled() ? Boolean.TRUE : null);
    }
  }

  /** The count for a post from {@code views} (null: not shown); a post nobody reported has 0. */
  private static Long viewsOf(Map<Long, Long> views, long messageId) {
    return views == null ? null : views.getOrDefault(messageId, 0L);
  }

  public record MessagesResponse(List<MessageDto> messages) {
    public static MessagesResponse of(List<Message> messages, Map<Long, Long> views) {
      List<MessageDto> dtos = new ArrayList<>(messages.size());
      messages.forEach(m -> dtos.add(MessageDto.of(m, viewsOf(views, m.messageId()))));
      return new MessagesResponse(dtos);
    }
  }

  /** A change as clients see it, in {@code updates?afterPts=} and on the socket. */
  public sealed interface UpdateDto permits MessageNewDto, MessageEditedDto, MessageDeletedDto, ReadDto, MemberJoinedDto, MemberLeftDto, RoleChangedDto, ChatEditedDto {
    String type();
  }

  /** {@code userIds} lists who joined when at most 100 did; {@code count} always says how many. */
  public record MemberJoinedDto(String type, String chatId, long pts, List<String> userIds, int count, String by, String date)
      implements UpdateDto {}

  /** {@code reason}: left, removed or banned. */
  public record MemberLeftDto(String type, String chatId, long pts, String userId, String by, String reason, String date)
      implements UpdateDto {}

  public record RoleChangedDto(String type, String chatId, long pts, String userId, String role, String date)
      implements UpdateDto {}

  public record ChatEditedDto(String type, String chatId, long pts, String title, String username, String date)
      implements UpdateDto {}

  public record MessageNewDto(String type, String chatId, long pts, MessageDto message) implements UpdateDto {}

  /** {@code message} is the message's current version, with its {@code editDate}. */
  public record MessageEditedDto(String type, String chatId, long pts, MessageDto message) implements UpdateDto {}

  public record MessageDeletedDto(String type, String chatId, long pts, long messageId, String date) implements UpdateDto {}

  public record ReadDto(String type, String chatId, long pts, String userId, long upToMessageId, String date)
      implements UpdateDto {}

  public static UpdateDto update(ChatUpdate update) {
    return update(update, null);
  }

  /** {@code views} as in {@link MessagesResponse#of(List, Map)}. */
  public static UpdateDto update(ChatUpdate update, Map<Long, Long> views) {
    if (update instanceof ChatUpdate.MessageNew m) {
      return new MessageNewDto(
          "message.new", m.chatId(), m.pts(), MessageDto.of(m.message(), viewsOf(views, m.message().messageId())));
    } else if (update instanceof ChatUpdate.MessageEditedUpdate e) {
      return new MessageEditedDto(
          "message.edited", e.chatId(), e.pts(), MessageDto.of(e.message(), viewsOf(views, e.message().messageId())));
    } else if (update instanceof ChatUpdate.MessageDeletedUpdate d) {
      return new MessageDeletedDto("message.deleted", d.chatId(), d.pts(), d.messageId(), Json.time(d.date()));
    } else if (update instanceof ChatUpdate.ReadUpTo r) {
      return new ReadDto("read", r.chatId(), r.pts(), r.userId(), r.upToMessageId(), Json.time(r.date()));
    } else if (update instanceof ChatUpdate.MembersJoinedUpdate j) {
      return new MemberJoinedDto(
          "member.joined", j.chatId(), j.pts(), j.userIds().isEmpty() ? null : j.userIds(), j.count(), j.by(), Json.time(j.date()));
    } else if (update instanceof ChatUpdate.MemberLeftUpdate l) {
      return new MemberLeftDto(
          "member.left", l.chatId(), l.pts(), l.userId(), l.by(), lower(l.reason()), Json.time(l.date()));
    } else if (update instanceof ChatUpdate.RoleChangedUpdate c) {
      return new RoleChangedDto("role.changed", c.chatId(), c.pts(), c.userId(), lower(c.role()), Json.time(c.date()));
    } else if (update instanceof ChatUpdate.ChatEditedUpdate e) {
      return new ChatEditedDto("chat.edited", e.chatId(), e.pts(), e.title(), e.username(), Json.time(e.date()));
    } else {
      throw new IllegalStateException("unknown update " + update);
    }
  }

  public static String lower(Enum<?> value) {
    return value == null ? null : value.name().toLowerCase(java.util.Locale.ROOT);
  }

  public record UpdatesResponse(List<UpdateDto> updates, long pts) {
    public static UpdatesResponse of(List<ChatUpdate> updates, long pts, Map<Long, Long> views) {
      List<UpdateDto> dtos = new ArrayList<>(updates.size());
      updates.forEach(u -> dtos.add(update(u, views)));
      return new UpdatesResponse(dtos, pts);
    }
  }
}
