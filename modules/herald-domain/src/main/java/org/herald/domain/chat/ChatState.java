package org.herald.domain.chat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.herald.domain.chat.ChatUpdate.MessageNew;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.content.Sealed;

/** Immutable state of a chat: {@link Empty} until created, then {@link Active}. */
public sealed interface ChatState extends CborSerializable {

  /**
   * Read marks are kept in the entity only for chats up to this size: they serve the forward-only
   * rule and, later, read receipts of direct chats and small groups. Larger chats keep marks in
   * the read model only, so a message never touches per-member state.
   */
  int READ_MARKS_LIMIT = 100;

  /** The chat does not exist. */
  record Empty() implements ChatState {}

  /**
   * A chat that exists. {@code members} holds every member compactly (a million cost ~16 MB);
   * {@code roles} only the members above plain membership (owner, admins); {@code readMarks}
   * the read marks of chats up to {@link #READ_MARKS_LIMIT} members; {@code banned} who may not
   * join; {@code invites} the live invite tokens and who made them; {@code membershipVersion}
   * counts membership changes (creation is 1). {@code lastMessageId} and
   * {@code pts} are the last numbers handed out; {@code recent} holds the last updates, for
   * read-your-writes history, catch-up and idempotent sends. {@code scheduled} holds the pending
   * scheduled posts (at most {@link #SCHEDULED_LIMIT}, sealed) and {@code lastScheduledId} the
   * last scheduled id handed out: an id at or below it that is not pending was published or
   * cancelled.
   */
  record Active(
      String chatId,
      ChatKind kind,
      String title,
      String username,
      boolean isPublic,
      String createdBy,
      Instant createdAt,
      MemberSet members,
      Map<String, Role> roles,
      Map<String, Long> readMarks,
      MemberSet banned,
      Map<String, String> invites,
      long membershipVersion,
      long lastMessageId,
      long pts,
      RecentUpdates recent,
      boolean readMarksDropped,
      List<ScheduledPost> scheduled,
      long lastScheduledId)
      implements ChatState {

    /** The most posts a chat holds scheduled at once. */
    public static final int SCHEDULED_LIMIT = 100;

    public Active {
      scheduled = scheduled == null ? List.of() : List.copyOf(scheduled);
      roles = Map.copyOf(roles);
      readMarks = Map.copyOf(readMarks);
      invites = Map.copyOf(invites);
      if (banned == null) {
        banned = MemberSet.empty();
      }
    }

    public boolean isMember(String userId) {
      return members.contains(userId);
    }

    /** The member's role, or null for a non-member. */
    public Role roleOf(String userId) {
      return !isMember(userId) ? null : roles.getOrDefault(userId, Role.MEMBER);
    }

    public boolean isAdmin(String userId) {
      Role role = roleOf(userId);
      return role == Role.OWNER || role == Role.ADMIN;
    }

    public String ownerId() {
      return roles.entrySet().stream().filter(e -> e.getValue() == Role.OWNER).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /** Members may read; so may anyone not banned from a public group or channel (a preview). */
    public boolean mayRead(String userId) {
      return isMember(userId) || (isPublic && !banned.contains(userId));
    }

    /** The member's read mark as the entity knows it (0 when it does not track marks). */
    public long readMarkOf(String userId) {
      return readMarks.getOrDefault(userId, 0L);
    }

    /**
     * Whether the entity knows every member's read mark: only in chats that have never been over
     * {@link #READ_MARKS_LIMIT} members. Once dropped, marks stay with the read model even if the
     * chat shrinks again, since the entity no longer knows them.
     */
    public boolean tracksReadMarks() {
      return !readMarksDropped && members.size() <= READ_MARKS_LIMIT;
    }

    /** Member ids, sorted; only for small chats (callers check the size first). */
    public List<String> memberIds() {
      return members.toList().stream().sorted().toList();
    }

    /** The answer already given to this sender's {@code clientMessageId}, if still remembered. */
    public MessageNew findSent(String senderId, String clientMessageId) {
      return recent.findSent(senderId, clientMessageId);
    }

    /**
     * The current version of message {@code messageId} (a tombstone when deleted) if the recent
     * window holds it, else null.
     */
    public Message messageInWindow(long messageId) {
      // Every update of a message carries its current version, so the newest one found will do;
      // an old message may be absent as "new" but present through a recent edit or deletion.
      for (int i = 0; i < recent.size(); i++) {
        ChatUpdate u = recent.fromNewest(i);
        if (u instanceof ChatUpdate.MessageDeletedUpdate d && d.messageId() == messageId) {
          return Message.deletedStub(messageId);
        }
        Message m = ChatUpdate.messageOf(u);
        if (m != null && m.messageId() == messageId) {
          return m;
        }
      }
      return null;
    }

    /** The smallest messageId such that it and every later message are in {@code recent}. */
    public long windowFirstMessageId() {
      for (int i = 0; i < recent.size(); i++) {
        if (recent.get(i) instanceof MessageNew m) {
          return m.message().messageId();
        }
      }
      return lastMessageId + 1;
    }

    /** The smallest pts such that it and every later change are in {@code recent}. */
    public long windowFirstPts() {
      return recent.isEmpty() ? pts + 1 : recent.first().pts();
    }

    // ---- transitions, used only by the event handler ------------------------------------

    private Active copy(
        String title, String username, MemberSet members, Map<String, Role> roles, Map<String, Long> readMarks,
        MemberSet banned, Map<String, String> invites, long lastMessageId, long pts, RecentUpdates recent) {
      return new Active(
          chatId, kind, title, username, isPublic, createdBy, createdAt, members, roles, readMarks, banned,
          invites, membershipVersion, lastMessageId, pts, recent, readMarksDropped, scheduled, lastScheduledId);
    }

    /** Numbers the change when it has a pts, and remembers its update. */
    private Active numbered(Active next, ChatUpdate update, int window) {
      if (update == null) {
        return next;
      }
      return next.copy(
          next.title, next.username, next.members, next.roles, next.readMarks, next.banned, next.invites,
          next.lastMessageId, update.pts(), next.recent.append(update, window));
    }

    Active withMessage(MessageNew update, int window) {
      Map<String, Long> marks = withMark(update.message().senderId(), update.message().messageId());
      return numbered(
          copy(title, username, members, roles, marks, banned, invites, update.message().messageId(), pts, recent),
          update, window);
    }

    /** A read mark moved; {@code update} is null when the read is not numbered (large chats). */
    Active withRead(String userId, long upToMessageId, ChatUpdate update, int window) {
      Map<String, Long> marks = withMark(userId, upToMessageId);
      return numbered(copy(title, username, members, roles, marks, banned, invites, lastMessageId, pts, recent), update, window);
    }

    Active withJoined(List<String> userIds, long version, ChatUpdate update, int window) {
      MemberSet next = members.withAll(userIds);
      return numbered(copy(title, username, next, roles, readMarks, banned, invites, lastMessageId, pts, recent), update, window)
          .versioned(version)
          .droppingReadMarksIfLarge();
    }

    private Active versioned(long version) {
      return new Active(
          chatId, kind, title, username, isPublic, createdBy, createdAt, members, roles, readMarks, banned,
          invites, version, lastMessageId, pts, recent, readMarksDropped, scheduled, lastScheduledId);
    }

    /** Over the limit: the entity stops keeping read marks, for good (see {@link #tracksReadMarks}). */
    Active droppingReadMarksIfLarge() {
      if (readMarksDropped || members.size() <= READ_MARKS_LIMIT) {
        return this;
      }
      return new Active(
          chatId, kind, title, username, isPublic, createdBy, createdAt, members, roles, Map.of(), banned,
          invites, membershipVersion, lastMessageId, pts, recent, true, scheduled, lastScheduledId);
    }

    Active withLeft(String userId, boolean ban, long version, ChatUpdate update, int window) {
      Map<String, Role> nextRoles = roles;
      if (roles.containsKey(userId)) {
        nextRoles = new HashMap<>(roles);
        nextRoles.remove(userId);
      }
      Map<String, Long> marks = readMarks;
      if (readMarks.containsKey(userId)) {
        marks = new HashMap<>(readMarks);
        marks.remove(userId);
      }
      MemberSet nextBanned = ban ? banned.with(userId) : banned;
      return numbered(
          copy(title, username, members.without(userId), nextRoles, marks, nextBanned, invites, lastMessageId, pts, recent),
          update, window).versioned(version);
    }

    Active withBanned(String userId, boolean isBanned) {
      MemberSet next = isBanned ? banned.with(userId) : banned.without(userId);
      return copy(title, username, members, roles, readMarks, next, invites, lastMessageId, pts, recent);
    }

    Active withRole(String userId, Role role, ChatUpdate update, int window) {
      Map<String, Role> next = new HashMap<>(roles);
      if (role == Role.MEMBER) {
        next.remove(userId);
      } else {
        next.put(userId, role);
      }
      return numbered(copy(title, username, members, next, readMarks, banned, invites, lastMessageId, pts, recent), update, window);
    }

    /**
     * Every update of the message in the window now carries {@code change} of what it carried
     * (the new version, or a tombstone); then {@code update} is numbered.
     */
    Active withMessageChanged(long messageId, java.util.function.UnaryOperator<Message> change, ChatUpdate update, int window) {
      RecentUpdates rewritten =
          recent.map(
              u -> {
                Message m = ChatUpdate.messageOf(u);
                return m != null && m.messageId() == messageId ? ChatUpdate.withMessage(u, change.apply(m)) : u;
              });
      return numbered(copy(title, username, members, roles, readMarks, banned, invites, lastMessageId, pts, rewritten), update, window);
    }

    Active withEdited(String newTitle, String newUsername, ChatUpdate update, int window) {
      return numbered(copy(newTitle, newUsername, members, roles, readMarks, banned, invites, lastMessageId, pts, recent), update, window);
    }

    Active withInvite(String token, String by, boolean live) {
      Map<String, String> next = new HashMap<>(invites);
      if (live) {
        next.put(token, by);
      } else {
        next.remove(token);
      }
      return copy(title, username, members, roles, readMarks, banned, next, lastMessageId, pts, recent);
    }

    /** May this user post here now (members; in channels only the owner and admins)? */
    public boolean mayPost(String userId) {
      return isMember(userId) && (kind != ChatKind.CHANNEL || isAdmin(userId));
    }

    /** The pending scheduled post, or null. */
    public ScheduledPost scheduledPost(long scheduledId) {
      for (ScheduledPost p : scheduled) {
        if (p.scheduledId() == scheduledId) {
          return p;
        }
      }
      return null;
    }

    private Active withSchedule(List<ScheduledPost> next, long lastId) {
      return new Active(
          chatId, kind, title, username, isPublic, createdBy, createdAt, members, roles, readMarks, banned,
          invites, membershipVersion, lastMessageId, pts, recent, readMarksDropped, next, lastId);
    }

    Active withScheduled(ScheduledPost post) {
      List<ScheduledPost> next = new java.util.ArrayList<>(scheduled);
      next.add(post);
      return withSchedule(next, Math.max(lastScheduledId, post.scheduledId()));
    }

    Active withScheduledEdited(long scheduledId, Sealed content, Instant dueAt, Instant at) {
      return withSchedule(
          scheduled.stream().map(p -> p.scheduledId() == scheduledId ? p.edited(content, dueAt, at) : p).toList(),
          lastScheduledId);
    }

    /** The post is no longer pending: published or cancelled. */
    Active withoutScheduled(long scheduledId) {
      return withSchedule(scheduled.stream().filter(p -> p.scheduledId() != scheduledId).toList(), lastScheduledId);
    }

    private Map<String, Long> withMark(String userId, long messageId) {
      if (!tracksReadMarks() || !isMember(userId) || readMarkOf(userId) >= messageId) {
        return readMarks;
      }
      Map<String, Long> next = new HashMap<>(readMarks);
      next.put(userId, messageId);
      return next;
    }
  }
}
