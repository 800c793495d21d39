package org.herald.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.herald.domain.chat.ChatEvent;
import org.herald.domain.content.Sealed;
import org.herald.domain.chat.ChatKind;
import org.herald.domain.chat.Role;
import org.herald.domain.common.CborSerializable;
import org.herald.domain.handle.HandleEntity;
import org.herald.domain.user.PlatformRole;
import org.herald.domain.user.UserEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every event version is pinned by a sample: its CBOR bytes live under
 * {@code src/test/resources/serialization/<feature>/<Event>.v<N>.cbor}, and each must still read
 * into today's class with the same values. A change that breaks a sample is a change to history:
 * it needs a migration, not a new sample. New events get their sample written once with
 * {@code -Dherald.write-serialization-samples=true}.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class EventSerializationTest {
  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(DomainTestKit.config()).build();

  static final Instant T = Instant.parse("2026-11-21T10:15:30.123Z");

  record Sample(String feature, int version, CborSerializable event) {
    String file() {
      return "serialization/" + feature + "/" + event.getClass().getSimpleName() + ".v" + version + ".cbor";
    }
  }

  static final Sealed SEALED = new Sealed("6f1c2a1e-5b7d-4c1a-9a53-0c9f3e2b7d11", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29});
  static final Sealed SEALED_AGAIN = new Sealed("0a4b9e77-3d21-4f0e-8c6a-7e5d4c3b2a19", new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1});

  static final List<Sample> SAMPLES =
      List.of(
          new Sample("user", 1, new UserEvent.UserRegistered("uabc", "Alice", "+4915112345678", "Alice A", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", T)),
          new Sample("user", 1, new UserEvent.SessionOpened("sabc", "phone", "dG9rZW4taGFzaA", T)),
          new Sample("user", 1, new UserEvent.SessionEnded("sabc", T)),
          new Sample("user", 1, new UserEvent.ChatRecorded("d-uabc-uxyz", T, null)),
          new Sample("user", 2, new UserEvent.ChatRecorded("gabc", T, 3L)),
          new Sample("user", 1, new UserEvent.ChatForgotten("gabc", 4, T)),
          new Sample("user", 1, new UserEvent.ChatMuted("gabc", T.plusSeconds(3600), T)),
          new Sample("user", 1, new UserEvent.ChatUnmuted("gabc", T)),
          new Sample("user", 1, new UserEvent.PushTokenSet("sabc", "apns-0123456789abcdef", T)),
          new Sample("user", 1, new UserEvent.RoleGranted(PlatformRole.ANALYST, "uadm", T)),
          new Sample("user", 1, new UserEvent.RoleRevoked(PlatformRole.ADMIN, "operator", T)),
          new Sample("handle", 1, new HandleEntity.HandleClaimed("uabc", T)),
          new Sample("handle", 1, new HandleEntity.HandleReleased("uabc", T)),
          new Sample("chat", 1, new ChatEvent.ChatCreated("d-uabc-uxyz", ChatKind.DIRECT, null, "uabc", List.of("uabc", "uxyz"), T, null, null)),
          new Sample("chat", 2, new ChatEvent.ChatCreated("gabc", ChatKind.GROUP, "Friends", "uabc", List.of("uabc", "uxyz"), T, "friends_club", true)),
          new Sample("chat", 1, new ChatEvent.MembersJoined("gabc", List.of("uxyz", "uqrs"), "uabc", ChatEvent.JoinMethod.ADDED, 4, 2, T)),
          new Sample("chat", 1, new ChatEvent.MemberLeft("gabc", "uxyz", "uabc", ChatEvent.LeaveReason.BANNED, 5, 3, T)),
          new Sample("chat", 1, new ChatEvent.UserBanned("gabc", "uqrs", "uabc", T)),
          new Sample("chat", 1, new ChatEvent.UserUnbanned("gabc", "uqrs", "uabc", T)),
          new Sample("chat", 1, new ChatEvent.RoleChanged("gabc", "uqrs", Role.ADMIN, "uabc", 6, T)),
          new Sample("chat", 1, new ChatEvent.ChatEdited("gabc", "Best friends", null, "uabc", 7, T)),
          new Sample("chat", 1, new ChatEvent.InviteCreated("gabc", "gabc.c2VjcmV0", "uabc", T)),
          new Sample("chat", 1, new ChatEvent.InviteRevoked("gabc", "gabc.c2VjcmV0", "uabc", T)),
          new Sample("chat", 1, new ChatEvent.MessageSent("d-uabc-uxyz", 7, 9, "uabc", "client-1", "hello \uD83D\uDE00", true, 3L, T, null, null)),
          new Sample("chat", 2, new ChatEvent.MessageSent("d-uabc-uxyz", 8, 11, "uabc", "client-2", null, false, null, T, SEALED, null)),
          new Sample("chat", 3, new ChatEvent.MessageSent("cabc", 9, 14, "uabc", "client-3", null, true, null, T, SEALED_AGAIN, 2L)),
          new Sample("chat", 1, new ChatEvent.PostScheduled("cabc", 2, "uabc", "client-3", SEALED, true, 7L, T.plusSeconds(3600), T)),
          new Sample("chat", 1, new ChatEvent.ScheduledPostEdited("cabc", 2, "uabc", SEALED_AGAIN, SEALED.keyId(), T.plusSeconds(7200), T.plusSeconds(60))),
          new Sample("chat", 1, new ChatEvent.ScheduledPostCancelled("cabc", 3, "uabc", ChatEvent.ScheduleCancelReason.CANCELLED, SEALED.keyId(), T)),
          new Sample("views", 1, new org.herald.domain.views.ViewsEvent.ViewsRecorded("cabc", 9, List.of("uaaaaaaaaaaaaaaaa", "ubbbbbbbbbbbbbbbb"), T)),
          new Sample("chat", 1, new ChatEvent.MessageEdited("d-uabc-uxyz", 8, 12, "uabc", "uabc", T, false, null, SEALED_AGAIN, SEALED.keyId(), T.plusSeconds(60))),
          new Sample("chat", 1, new ChatEvent.MessageDeleted("d-uabc-uxyz", 8, 13, "uxyz", SEALED_AGAIN.keyId(), T.plusSeconds(90))),
          new Sample("chat", 1, new ChatEvent.MessagesRead("d-uabc-uxyz", "uxyz", 7, 10, T)));

  @Test
  void everyEventSampleStillReadsIntoTodaysClass() throws Exception {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    boolean write = Boolean.getBoolean("herald.write-serialization-samples");
    for (Sample sample : SAMPLES) {
      var serializer = serialization.findSerializerFor(sample.event());
      String manifest = Serializers.manifestFor(serializer, sample.event());
      Path source = Path.of("src/test/resources").resolve(sample.file());
      if (write && !Files.exists(source)) {
        Files.createDirectories(source.getParent());
        Files.write(source, serialization.serialize(sample.event()).get());
      }
      var resource = getClass().getClassLoader().getResourceAsStream(sample.file());
      assertTrue(resource != null || Files.exists(source), "missing sample " + sample.file());
      byte[] bytes = resource != null ? resource.readAllBytes() : Files.readAllBytes(source);
      Object read = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
      assertEquals(sample.event(), read, sample.file());
    }
  }

  /**
   * Dates are written as exact numbers, not ISO text (a snapshot of 500 updates reads in half the
   * time), and read back to the same nanosecond; the samples above, written as text, still read.
   */
  @Test
  void datesAreWrittenAsExactNumbersAndTextDatesStillRead() throws Exception {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    Instant precise = Instant.parse("2026-11-21T10:15:30.123456789Z");
    ChatEvent.MessageSent event = new ChatEvent.MessageSent("d-uabc-uxyz", 8, 11, "uabc", "client-2", null, false, null, precise, SEALED, null);
    byte[] bytes = serialization.serialize(event).get();
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(!text.contains("2026-11-21T"), "the date is not written as ISO text");
    var serializer = serialization.findSerializerFor(event);
    Object read = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, event)).get();
    assertEquals(event, read);

    byte[] textSample = getClass().getClassLoader().getResourceAsStream("serialization/chat/MessageSent.v2.cbor").readAllBytes();
    assertTrue(new String(textSample, java.nio.charset.StandardCharsets.ISO_8859_1).contains("2026-11-21T10:15:30.123Z"),
        "the v2 sample holds its date as text");
    ChatEvent.MessageSent old = (ChatEvent.MessageSent)
        serialization.deserialize(textSample, serializer.identifier(), Serializers.manifestFor(serializer, event)).get();
    assertEquals(T, old.date());
  }
}
