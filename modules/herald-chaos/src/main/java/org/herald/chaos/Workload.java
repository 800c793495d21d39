package org.herald.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.herald.chaos.Api.Outcome;

/**
 * The accounts and chats of a run, made through the public API before the faults begin: users
 * {@code 0..n-1}; a direct chat between each user and the next (a ring); groups of about eight
 * consecutive users, where every member posts; and one public channel owned by user 0, which
 * every other user subscribes to and only the owner posts in.
 */
final class Workload {
  /** A registered user and the token of its one device. */
  record Account(int index, String userId, String token, String username) {}

  /**
   * A chat of the run. {@code members} and {@code posters} are user indices; {@code prober} is
   * the member who sends this chat's recovery probes and reads it for the final check.
   */
  record Chat(int index, String chatId, String kind, List<Integer> members, List<Integer> posters, int prober) {}

  static final int GROUP_SIZE = 8;
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);
  private static final long SETUP_DEADLINE_MS = 120_000;

  final List<Account> accounts;
  final List<Chat> chats;

  private Workload(List<Account> accounts, List<Chat> chats) {
    this.accounts = List.copyOf(accounts);
    this.chats = List.copyOf(chats);
  }

  /** The chats user {@code u} is a member of. */
  List<Chat> chatsOf(int u) {
    return chats.stream().filter(c -> c.members().contains(u)).toList();
  }

  /** The chats user {@code u} may post in. */
  List<Chat> postableBy(int u) {
    return chats.stream().filter(c -> c.posters().contains(u)).toList();
  }

  static Workload create(Api api, List<String> baseUrls, int users, String runTag) {
    List<Account> accounts = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      accounts.add(register(api, baseUrls.get(i % baseUrls.size()), i, runTag));
    }
    List<Chat> chats = new ArrayList<>();
    Set<String> pairs = new LinkedHashSet<>();
    for (int i = 0; i < users; i++) {
      int a = i;
      int b = (i + 1) % users;
      if (!pairs.add(Math.min(a, b) + "-" + Math.max(a, b))) {
        continue;
      }
      String url = baseUrls.get(i % baseUrls.size());
      JsonNode chat =
          call("direct chat " + a + "-" + b, () -> api.post(url, "/v1/chats", accounts.get(a).token(),
              Map.of("kind", "direct", "userId", accounts.get(b).userId()), SETUP_TIMEOUT));
      chats.add(new Chat(chats.size(), chat.path("chatId").asText(), "direct", List.of(a, b), List.of(a, b), a));
    }
    for (int first = 0; first < users; first += GROUP_SIZE) {
      List<Integer> members = new ArrayList<>();
      for (int u = first; u < Math.min(users, first + GROUP_SIZE); u++) {
        members.add(u);
      }
      if (members.size() < 3) {
        continue;
      }
      int owner = members.get(0);
      List<String> others = members.subList(1, members.size()).stream().map(u -> accounts.get(u).userId()).toList();
      String url = baseUrls.get(owner % baseUrls.size());
      String title = "chaos group " + (first / GROUP_SIZE);
      JsonNode chat =
          call(title, () -> api.post(url, "/v1/chats", accounts.get(owner).token(),
              Map.of("kind", "group", "title", title, "memberIds", others), SETUP_TIMEOUT));
      chats.add(new Chat(chats.size(), chat.path("chatId").asText(), "group", List.copyOf(members), List.copyOf(members), owner));
    }
    String url = baseUrls.get(0);
    JsonNode channel =
        call("channel", () -> api.post(url, "/v1/chats", accounts.get(0).token(),
            Map.of("kind", "channel", "title", "chaos channel", "public", true), SETUP_TIMEOUT));
    String channelId = channel.path("chatId").asText();
    List<Integer> subscribers = new ArrayList<>();
    subscribers.add(0);
    for (int u = 1; u < users; u++) {
      String via = baseUrls.get(u % baseUrls.size());
      String token = accounts.get(u).token();
      call("subscribe user " + u, () -> api.post(via, "/v1/chats/" + channelId + "/members", token, Map.of(), SETUP_TIMEOUT));
      subscribers.add(u);
    }
    chats.add(new Chat(chats.size(), channelId, "channel", List.copyOf(subscribers), List.of(0), 0));
    return new Workload(accounts, chats);
  }

  private static Account register(Api api, String url, int i, String runTag) {
    String username = runTag + "_u" + i;
    String password = "chaos-" + runTag + "-" + i;
    Map<String, Object> body = Map.of("username", username, "displayName", "chaos user " + i, "password", password, "deviceName", "chaos");
    JsonNode session =
        call("register " + username, () -> {
          Outcome o = api.post(url, "/v1/accounts", null, body, SETUP_TIMEOUT);
          // 409: an earlier attempt did register it, and only its answer was lost: log in instead.
          return o.status() != 409 ? o
              : api.post(url, "/v1/sessions", null, Map.of("login", username, "password", password, "deviceName", "chaos"), SETUP_TIMEOUT);
        });
    return new Account(i, session.path("userId").asText(), session.path("session").path("token").asText(), username);
  }

  /** A setup call, retried until it succeeds (the cluster is up, but may still be settling). */
  private static JsonNode call(String what, Supplier<Outcome> request) {
    long deadline = System.currentTimeMillis() + SETUP_DEADLINE_MS;
    while (true) {
      Outcome o = request.get();
      if (o.ok()) {
        return o.body();
      }
      if (o.failure() == Api.ErrorKind.REJECTED || System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("setup failed (" + what + "): " + o.detail() + " " + o.body());
      }
      Threads.sleep(500);
    }
  }
}
