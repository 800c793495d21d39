package org.herald.api.admin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.NamedHealthCheck;
import org.apache.pekko.management.internal.CheckFailedException;
import org.apache.pekko.management.internal.CheckTimeoutException;
import org.apache.pekko.management.javadsl.CheckResult;
import org.apache.pekko.management.javadsl.HealthChecks;
import org.herald.api.common.Json;

/**
 * {@code GET /ready} and {@code GET /alive} on the operator port, built on Pekko Management's
 * {@link HealthChecks}: the checks are those configured under {@code
 * pekko.management.health-checks} ({@code readiness-checks}, {@code liveness-checks}), loaded and
 * timed out by Pekko Management. Each runs through its own {@code HealthChecks}, so that the
 * answer names every check with its result, and all run in parallel:
 *
 * <pre>
 * 200 {"status":"ready","memberStatus":"Up","checks":{"cluster-membership":"ok","journal":"ok",…}}
 * 503 {"status":"not-ready","memberStatus":"Up","checks":{…,"journal":"the journal does not answer: …"}}
 * </pre>
 *
 * Liveness has no checks by default: the node is alive while its actor system answers HTTP, and
 * a database outage must not get it restarted.
 */
final class HealthRoutes extends AllDirectives {
  /** One configured check and the engine that runs it alone. */
  private record Named(String name, HealthChecks checks) {}

  /** The body of both answers; {@code checks} maps each check's name to "ok" or why not. */
  record HealthResponse(String status, String memberStatus, Map<String, String> checks) {}

  private final Cluster cluster;
  private final HealthCheckSettings settings;
  private final List<Named> readiness;
  private final List<Named> liveness;

  HealthRoutes(ActorSystem<?> system) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    this.cluster = Cluster.get(classic);
    this.settings = HealthCheckSettings.create(system.settings().config().getConfig("pekko.management.health-checks"));
    this.readiness = engines(classic, settings.getReadinessChecks(), true);
    this.liveness = engines(classic, settings.getLivenessChecks(), false);
  }

  /** One engine per check, each configured with that check alone (as readiness or liveness). */
  private List<Named> engines(ExtendedActorSystem system, List<NamedHealthCheck> checks, boolean readiness) {
    List<Named> engines = new ArrayList<>();
    for (NamedHealthCheck check : checks.stream().sorted(Comparator.comparing(NamedHealthCheck::name)).toList()) {
      List<NamedHealthCheck> one = List.of(check);
      HealthCheckSettings alone =
          HealthCheckSettings.create(
              List.of(), readiness ? one : List.of(), readiness ? List.of() : one,
              settings.startupPath(), settings.readinessPath(), settings.livenessPath(), settings.getCheckTimeout());
      engines.add(new Named(check.name(), new HealthChecks(system, alone)));
    }
    return engines;
  }

  Route routes() {
    return concat(
        path(PathMatchers.separateOnSlashes(settings.readinessPath()), () -> get(() -> completeWithFuture(report(readiness, true)))),
        path(PathMatchers.separateOnSlashes(settings.livenessPath()), () -> get(() -> completeWithFuture(report(liveness, false)))));
  }

  private CompletionStage<HttpResponse> report(List<Named> checks, boolean readiness) {
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (Named check : checks) {
      CompletionStage<CheckResult> result = readiness ? check.checks().readyResult() : check.checks().aliveResult();
      results.add(
          result
              .handle((r, failure) -> failure != null ? describe(failure) : r.isSuccess() ? "ok" : "not ok")
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, String> answers = new LinkedHashMap<>();
              boolean ok = true;
              for (int i = 0; i < checks.size(); i++) {
                String answer = results.get(i).join();
                answers.put(checks.get(i).name(), answer);
                ok &= answer.equals("ok");
              }
              String status = readiness ? (ok ? "ready" : "not-ready") : (ok ? "alive" : "not-alive");
              return Json.response(
                  ok ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                  new HealthResponse(status, cluster.selfMember().status().toString(), answers));
            });
  }

  /** Why a check failed, in its own words: Pekko Management wraps the check's exception. */
  private String describe(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof CheckTimeoutException) {
      return "no answer within " + settings.getCheckTimeout().toMillis() + " ms";
    }
    if (t instanceof CheckFailedException && t.getCause() != null) {
      t = unwrap(t.getCause());
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
