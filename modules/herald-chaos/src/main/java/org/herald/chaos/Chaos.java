package org.herald.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.herald.chaos.ChaosResult.Fault;
import org.herald.chaos.Checker.ClientChat;
import org.herald.chaos.Checker.ClientState;
import org.herald.chaos.Workload.Chat;

/**
 * One chaos run, from starting the cluster to the verdict:
 *
 * <ol>
 *   <li>start the node processes and wait until each is up and serving;
 *   <li>register the users and create their chats, connect every client and let it sync;
 *   <li>start sending; every {@code --kill-every}, once every node is up again and the last
 *       fault's probes are done, SIGKILL a random node (restarted after {@code
 *       --restart-after}) or freeze it (SIGSTOP for {@code --freeze-for}, then SIGCONT), and
 *       probe every chat until it accepts writes again;
 *   <li>after {@code --duration}: wait for every node to be up, stop sending, let the sends in
 *       flight be acknowledged, let each client catch up one last time, read every chat back
 *       through the API and check.
 * </ol>
 */
public final class Chaos {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
  private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(300);
  /**
   * Sends still unacknowledged this long after sending stopped are given up; so is a client's
   * final catch-up, counted from its own start.
   */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);

  private final ChaosOptions options;
  private final PrintStream out;
  private final Random random;
  private final String runTag;
  private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger kills = new AtomicInteger();
  private final AtomicInteger freezes = new AtomicInteger();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final Ledger ledger = new Ledger();
  private final ErrorTally sendErrors = new ErrorTally();
  private final ErrorTally probeErrors = new ErrorTally();
  private final ErrorTally syncErrors = new ErrorTally();
  private volatile String phase = "starting";
  private volatile long faultsStartNanos;

  private Chaos(ChaosOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.random = new Random(options.seed());
    this.runTag = "c" + Long.toString(Math.floorMod(random.nextLong(), 2_176_782_336L) + 2_176_782_336L, 36).substring(1);
  }

  /**
   * Runs the whole scenario and stops every node it started. Throws {@link
   * Cluster.ClusterStartException} when the cluster cannot be started.
   */
  public static ChaosResult run(ChaosOptions options, PrintStream out, PrintStream err) {
    return new Chaos(options, out).run(err);
  }

  private ChaosResult run(PrintStream err) {
    long runStart = System.nanoTime();
    Path runDir = options.workDir().toAbsolutePath();
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the run directory " + runDir, e);
    }
    out.println("chaos: " + options.plan());
    out.println("chaos: node logs and result.json in " + runDir);
    out.flush();
    EventLog events = new EventLog(runDir.resolve("events.log"));
    events.log("plan: %s", options.plan());
    Api api = new Api();
    Cluster cluster = new Cluster(options, runDir, events, random);
    Thread hook = new Thread(cluster::killAll, "chaos-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    List<SimClient> clients = new ArrayList<>();
    Probes probes = null;
    ExecutorService faultWorker = Executors.newSingleThreadExecutor(Threads.daemon("fault"));
    Progress progress = null;
    try {
      cluster.servingCheck(node -> api.get(node.baseUrl(), "/v1/openapi.json", null, Duration.ofSeconds(3)).ok());
      cluster.start();
      if (!cluster.awaitAllUp(START_TIMEOUT)) {
        throw new Cluster.ClusterStartException(
            "not every node was up within " + START_TIMEOUT.toSeconds() + " s (" + cluster.stateLine() + "); see the node logs in " + runDir);
      }
      events.log("cluster up");
      List<String> urls = cluster.nodes().stream().map(NodeProcess::baseUrl).toList();
      phase = "setup";
      Workload workload = Workload.create(api, urls, options.users(), runTag);
      events.log("%d users, %d chats", workload.accounts.size(), workload.chats.size());
      cluster.servingCheck(node -> servesEveryChat(api, workload, node));

      double perClient = options.rate() / workload.accounts.size();
      for (Workload.Account a : workload.accounts) {
        SimClient.SendPath path = a.index() % 2 == 0 ? SimClient.SendPath.HTTP : SimClient.SendPath.SOCKET;
        clients.add(
            new SimClient(a, path, workload.chatsOf(a.index()), workload.postableBy(a.index()), urls, api, ledger, sendErrors,
                syncErrors, events, runTag, options.seed() + a.index(), perClient));
      }
      clients.forEach(SimClient::startSync);
      for (SimClient c : clients) {
        if (!c.awaitFirstSync(120_000)) {
          throw new Cluster.ClusterStartException("client " + c.account.index() + " could not connect and sync within 120 s");
        }
      }
      events.log("clients connected and synced");
      probes = new Probes(api, cluster, workload, ledger, probeErrors, runTag);

      faultsStartNanos = System.nanoTime();
      events.resetOrigin(faultsStartNanos);
      cluster.resetOrigin(faultsStartNanos);
      clients.forEach(SimClient::startSending);
      phase = "faults";
      progress = new Progress(err, options.progressBar(), () -> progressLine(cluster));
      injectFaults(cluster, probes, faultWorker, events);
      double faultSeconds = (System.nanoTime() - faultsStartNanos) / 1e9;

      phase = "healing";
      events.log("faults over; waiting for every node");
      faultWorker.shutdown();
      // The last round ends when its probes give up or its node is up, whichever is later.
      long roundBound = Math.max(Probes.GIVE_UP.toSeconds(), HEAL_TIMEOUT.toSeconds()) + 20;
      if (!faultWorker.awaitTermination(roundBound, TimeUnit.SECONDS)) {
        problems.add("the last fault's probes did not finish");
      }
      if (!cluster.awaitAllUp(HEAL_TIMEOUT)) {
        problems.add("the cluster was not back up within " + HEAL_TIMEOUT.toSeconds() + " s after the faults: " + cluster.stateLine());
      }
      phase = "draining";
      events.log("every node up (%s); stopping the senders", cluster.stateLine());
      long giveUpAt = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
      for (SimClient c : clients) {
        c.stopSending();
        c.giveUpAt(giveUpAt);
      }
      for (SimClient c : clients) {
        c.awaitSender(DRAIN_TIMEOUT.toMillis() + 10_000);
      }
      phase = "syncing";
      events.log("senders stopped (%d given up); final catch-up", ledger.abandonedCount());
      long catchUpUntil = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
      clients.forEach(c -> c.finish(catchUpUntil));
      List<ClientState> states = new ArrayList<>();
      for (SimClient c : clients) {
        if (!c.awaitFinished(DRAIN_TIMEOUT.toMillis() + 30_000) || !c.finalSyncComplete()) {
          problems.add("client " + c.account.index() + " could not finish its final catch-up");
          continue;
        }
        Map<String, ClientChat> chats = new TreeMap<>();
        c.synced().forEach((chatId, s) -> chats.put(chatId, new ClientChat(s.pts, Map.copyOf(s.messages))));
        states.add(new ClientState("u" + c.account.index(), chats));
      }
      phase = "checking";
      events.log("reading every chat back");
      ServerReader.Read read = new ServerReader(api, urls, workload).readAll(Duration.ofSeconds(60));
      read.unreadable().forEach((chat, why) -> problems.add("chat " + chat + " could not be read: " + why));
      Checker.Verdict verdict = Checker.check(ledger.all(), read.chats(), read.unreadable().keySet(), states);
      List<Fault> sorted = new ArrayList<>(faults);
      sorted.sort(Comparator.comparingInt(Fault::number));
      for (Fault f : sorted) {
        if (f.recoverySeconds() == null) {
          problems.add(String.format(java.util.Locale.ROOT, "fault %d (%s of node %d): %d chats did not accept writes within %d s",
              f.number(), f.kind(), f.node(), f.unrecoveredChats(), Probes.GIVE_UP.toSeconds()));
        }
      }
      long reconnects = clients.stream().mapToLong(c -> c.reconnects.get()).sum();
      long gapsCaughtUp = clients.stream().mapToLong(c -> c.gapsCaughtUp.get()).sum();
      progress.close();
      ChaosResult result =
          new ChaosResult(
              options.plan(), runDir, (System.nanoTime() - runStart) / 1e9, faultSeconds, List.copyOf(sorted), verdict,
              sendErrors.byKind(), probeErrors.byKind(), syncErrors.byKind(), ledger.lateCount(), ledger.abandonedCount(),
              ledger.rejectedCount(), reconnects, gapsCaughtUp, cluster.exits(), cluster.starts(), List.copyOf(problems));
      Files.writeString(runDir.resolve("result.json"), result.json());
      events.log("%s", result.summaryLine());
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (progress != null) {
        progress.close();
      }
      faultWorker.shutdownNow();
      clients.forEach(c -> {
        c.stopSending();
        c.giveUpAt(System.nanoTime());
        c.finish(System.nanoTime());
      });
      if (probes != null) {
        probes.close();
      }
      events.log("stopping the nodes");
      cluster.close();
      api.close();
      events.log("done");
      events.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run: the nodes are gone either way.
      }
    }
  }

  /** The fault loop, for {@code --duration} and at least {@code --min-faults} faults. */
  private void injectFaults(Cluster cluster, Probes probes, ExecutorService worker, EventLog events) {
    long end = faultsStartNanos + options.duration().toNanos();
    long nextAt = faultsStartNanos + options.killEvery().toNanos();
    Future<?> round = null;
    int number = 0;
    while (true) {
      if (number >= options.minFaults() && System.nanoTime() >= end) {
        return;
      }
      if (!sleepUntil(number >= options.minFaults() ? Math.min(nextAt, end) : nextAt)) {
        return;
      }
      // A majority must survive: the next fault waits for every node and the last probes.
      while ((round != null && !round.isDone()) || !cluster.allUp()) {
        if ((number >= options.minFaults() && System.nanoTime() >= end) || !Threads.sleep(100)) {
          return;
        }
      }
      if (number >= options.minFaults() && System.nanoTime() >= end) {
        return;
      }
      number++;
      NodeProcess victim = cluster.node(random.nextInt(cluster.size()));
      boolean freeze = options.freezes(number);
      long at = System.nanoTime();
      if (freeze) {
        cluster.freeze(victim);
        freezes.incrementAndGet();
      } else {
        cluster.kill(victim);
        kills.incrementAndGet();
      }
      int n = number;
      round = worker.submit(() -> recordFault(cluster, probes, events, n, freeze ? "freeze" : "kill", victim, at));
      if (freeze) {
        Threads.sleep(options.freezeFor());
        cluster.thaw(victim);
      }
      nextAt = at + options.killEvery().toNanos();
    }
  }

  private void recordFault(Cluster cluster, Probes probes, EventLog events, int number, String kind, NodeProcess node, long at) {
    Probes.Round round = probes.run(number, node, at);
    Double recovery = round.recovery();
    events.log("fault %d (%s of node %d): %s", number, kind, node.number,
        recovery == null ? round.unrecovered() + " chats did not recover" : String.format(java.util.Locale.ROOT, "every chat writable after %.1fs", recovery));
    Double upAgain = null;
    long deadline = at + HEAL_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (cluster.state(node) == NodeProcess.State.UP) {
        upAgain = (System.nanoTime() - at) / 1e9;
        break;
      }
      if (!Threads.sleep(100)) {
        break;
      }
    }
    faults.add(new Fault(number, kind, node.number, ChaosResult.tenths((at - faultsStartNanos) / 1e9), recovery == null ? null : ChaosResult.tenths(recovery),
        round.unrecovered(), upAgain == null ? null : ChaosResult.tenths(upAgain)));
  }

  /** A node serves when it answers every chat: it reaches every shard's home in the cluster. */
  private static boolean servesEveryChat(Api api, Workload workload, NodeProcess node) {
    for (Chat chat : workload.chats) {
      String token = workload.accounts.get(chat.prober()).token();
      if (!api.get(node.baseUrl(), "/v1/chats/" + chat.chatId(), token, Duration.ofSeconds(3)).ok()) {
        return false;
      }
    }
    return true;
  }

  private String progressLine(Cluster cluster) {
    double elapsed = (System.nanoTime() - faultsStartNanos) / 1e9;
    return Progress.format(elapsed, options.duration().toSeconds(), phase, kills.get(), freezes.get(), ledger.ackedCount(),
        sendErrors.total() + probeErrors.total(), cluster.stateLine());
  }

  private static boolean sleepUntil(long nanos) {
    long wait = nanos - System.nanoTime();
    return wait <= 0 || Threads.sleep(wait / 1_000_000 + 1);
  }
}
