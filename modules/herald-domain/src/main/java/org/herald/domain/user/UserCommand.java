package org.herald.domain.user;

import org.apache.pekko.actor.typed.ActorRef;
import org.herald.domain.common.CborSerializable;

/** What a user account accepts. Every command answers with a {@link UserReply}. */
public sealed interface UserCommand extends CborSerializable {
  ActorRef<UserReply> replyTo();

  /** A device session about to be opened; the token itself never reaches the entity. */
  record NewSession(String sessionId, String deviceName, String tokenHash)
      implements CborSerializable {}

  /** Create the account with its first device session. The password arrives already hashed. */
  record Register(
      String username,
      String phone,
      String displayName,
      String passwordHash,
      NewSession firstSession,
      ActorRef<UserReply> replyTo)
      implements UserCommand {}

  /** Open another device session (a login). */
  record OpenSession(NewSession session, ActorRef<UserReply> replyTo) implements UserCommand {}

  /** Check a bearer token: is {@code sessionId} open and does its token hash match? */
  record Authenticate(String sessionId, String tokenHash, ActorRef<UserReply> replyTo)
      implements UserCommand {}

  /** The stored password hash, for verification off the entity (the KDF is slow on purpose). */
  record GetCredentials(ActorRef<UserReply> replyTo) implements UserCommand {}

  /** The profile, with the platform roles granted by command (not those from configuration). */
  record GetProfile(ActorRef<UserReply> replyTo) implements UserCommand {}

  /** Every open device session. */
  record ListSessions(ActorRef<UserReply> replyTo) implements UserCommand {}

  /** End a device session: its token is refused from now on and its sockets close. */
  record EndSession(String sessionId, ActorRef<UserReply> replyTo) implements UserCommand {}

  /**
   * The user became a member of {@code chatId} at the chat's membership {@code version}.
   * Idempotent, and ignored when the index already knows a later change of that chat.
   */
  record RecordChat(String chatId, long version, ActorRef<UserReply> replyTo) implements UserCommand {}

  /** The user left {@code chatId} at membership {@code version}; same ordering rule. */
  record ForgetChat(String chatId, long version, ActorRef<UserReply> replyTo) implements UserCommand {}

  /** Mute notifications of a chat the user is in, until {@code until} (null: forever). */
  record MuteChat(String chatId, java.time.Instant until, ActorRef<UserReply> replyTo) implements UserCommand {}

  /** Unmute a chat. */
  record UnmuteChat(String chatId, ActorRef<UserReply> replyTo) implements UserCommand {}

  /** Every chat the user is a member of. */
  record ListChats(ActorRef<UserReply> replyTo) implements UserCommand {}

  /** A device of this user sets (or, with null, clears) its push token. */
  record SetPushToken(String sessionId, String pushToken, ActorRef<UserReply> replyTo) implements UserCommand {}

  /**
   * A node holds live socket {@code connectionId} of device {@code sessionId} until {@code until}
   * (a lease the node renews; the past means it closed). Runtime only: never persisted, never
   * answered.
   */
  record DevicePresence(String sessionId, String connectionId, java.time.Instant until) implements UserCommand {
    @Override
    public ActorRef<UserReply> replyTo() {
      return null;
    }
  }

  /**
   * Whom to notify of a message sent to {@code chatId} at {@code sentAt}: answered with
   * {@link UserReply.PushTargets}; a device connected then (or since) counts as online.
   */
  record GetPushTargets(String chatId, java.time.Instant sentAt, ActorRef<UserReply> replyTo) implements UserCommand {}

  /** Grant the platform role {@code role}; granting a role the user holds changes nothing. */
  record GrantRole(PlatformRole role, String by, ActorRef<UserReply> replyTo) implements UserCommand {}

  /** Revoke the platform role {@code role}; revoking a role the user lacks changes nothing. */
  record RevokeRole(PlatformRole role, String by, ActorRef<UserReply> replyTo) implements UserCommand {}
}
