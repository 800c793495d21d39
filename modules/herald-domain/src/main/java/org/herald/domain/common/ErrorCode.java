package org.herald.domain.common;

/**
 * Stable domain reasons for saying no. Each has an HTTP-agnostic {@link Kind}; the API maps
 * kinds to statuses. {@link #wireCode()} is the code clients see when the contract names a
 * specific one (for example {@code USERNAME_TAKEN}); otherwise the kind's generic code is used.
 */
public enum ErrorCode {
  INVALID_FIELD(Kind.INVALID),
  TEXT_EMPTY(Kind.INVALID),
  TEXT_TOO_LONG(Kind.INVALID),
  REPLY_TARGET_NOT_FOUND(Kind.INVALID),
  READ_BEYOND_LAST_MESSAGE(Kind.INVALID),
  CANNOT_CHAT_WITH_SELF(Kind.INVALID),
  INVALID_CREDENTIALS(Kind.UNAUTHENTICATED),
  SESSION_NOT_FOUND(Kind.NOT_FOUND),
  USER_NOT_FOUND(Kind.NOT_FOUND),
  CHAT_NOT_FOUND(Kind.NOT_FOUND),
  MEMBER_NOT_FOUND(Kind.NOT_FOUND),
  NOT_A_MEMBER(Kind.FORBIDDEN),
  ADMIN_REQUIRED(Kind.FORBIDDEN),
  OWNER_REQUIRED(Kind.FORBIDDEN),
  USER_BANNED(Kind.FORBIDDEN),
  CHANNEL_POSTING_RESTRICTED(Kind.FORBIDDEN),
  INVITE_INVALID(Kind.NOT_FOUND),
  CHAT_FULL(Kind.CONFLICT, "CHAT_FULL"),
  OWNER_CANNOT_LEAVE(Kind.CONFLICT),
  USERNAME_TAKEN(Kind.CONFLICT, "USERNAME_TAKEN"),
  PHONE_TAKEN(Kind.CONFLICT, "PHONE_TAKEN"),
  ALREADY_EXISTS(Kind.CONFLICT),
  CHAT_KIND_MISMATCH(Kind.CONFLICT),
  /** A call made for some kinds of chat only (statistics of groups and channels, top posts of channels). */
  CHAT_KIND_NOT_SUPPORTED(Kind.INVALID),
  /** A platform role (analyst, admin) is needed; the message names it. */
  ROLE_REQUIRED(Kind.FORBIDDEN, "ROLE_REQUIRED"),
  MESSAGE_NOT_FOUND(Kind.NOT_FOUND, "MESSAGE_NOT_FOUND"),
  MESSAGE_DELETED(Kind.NOT_FOUND, "MESSAGE_DELETED"),
  MESSAGE_AUTHOR_REQUIRED(Kind.FORBIDDEN, "MESSAGE_AUTHOR_REQUIRED"),
  MESSAGE_EDIT_TIME_EXPIRED(Kind.FORBIDDEN, "MESSAGE_EDIT_TIME_EXPIRED"),
  CONTENT_KEYS_UNAVAILABLE(Kind.UNAVAILABLE),
  SCHEDULED_NOT_FOUND(Kind.NOT_FOUND, "SCHEDULED_NOT_FOUND"),
  SCHEDULE_DATE_INVALID(Kind.INVALID, "SCHEDULE_DATE_INVALID"),
  SCHEDULE_TOO_MUCH(Kind.CONFLICT, "SCHEDULE_TOO_MUCH");

  /** What kind of "no" this is, independent of any transport. */
  public enum Kind {
    INVALID,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    TOO_LARGE,
    RATE_LIMITED,
    UNAVAILABLE
  }

  private final Kind kind;
  private final String wireCode;

  ErrorCode(Kind kind) {
    this(kind, null);
  }

  ErrorCode(Kind kind, String wireCode) {
    this.kind = kind;
    this.wireCode = wireCode;
  }

  public Kind kind() {
    return kind;
  }

  /** The specific code the client contract names, or {@code null} to use the kind's code. */
  public String wireCode() {
    return wireCode;
  }
}
