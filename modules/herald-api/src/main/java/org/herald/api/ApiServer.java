package org.herald.api;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Tcp;
import org.herald.api.account.AccountRoutes;
import org.herald.api.admin.AdminRoutes;
import org.herald.api.admin.ProjectionAdminRoutes;
import org.herald.api.analytics.AnalyticsRoutes;
import org.herald.api.account.PasswordHasher;
import org.herald.api.chat.ChatRoutes;
import org.herald.api.chat.MemberRoutes;
import org.herald.api.common.ApiErrors;
import org.herald.api.common.ApiSettings;
import org.herald.api.common.Authenticator;
import org.herald.api.common.Chats;
import org.herald.api.common.Roles;
import org.herald.api.message.ContentOpener;
import org.herald.api.message.MessageRoutes;
import org.herald.api.message.ScheduledRoutes;
import org.herald.api.message.ViewRoutes;
import org.herald.projection.views.ViewsProjection;
import org.herald.api.message.Messaging;
import org.herald.api.message.SendBatching;
import org.herald.api.sync.SyncRoutes;
import org.herald.api.updates.UpdatesHub;
import org.herald.api.updates.UpdatesRoutes;
import org.herald.api.updates.UpdatesSocket;
import org.herald.domain.common.Metrics;
import org.herald.domain.content.ContentKeys;
import org.herald.projection.analytics.AnalyticsRepository;
import org.herald.projection.dialogs.DialogsRepository;
import org.herald.projection.history.HistoryRepository;
import org.herald.projection.ops.ProjectionOps;
import org.herald.projection.sync.SyncRepository;

/**
 * Builds the routes of {@code /v1} and binds them, with the updates socket, to the public port
 * ({@link PublicPort}); the binding unbinds in CoordinatedShutdown.
 */
public final class ApiServer extends AllDirectives {
  private ApiServer() {}

  public static CompletionStage<Tcp.ServerBinding> start(
      ActorSystem<?> system,
      DataSource dataSource,
      ContentKeys contentKeys,
      ActorRef<UpdatesHub.Command> hub,
      String host,
      int port) {
    Served served = routes(system, dataSource, contentKeys, hub);
    return PublicPort.bind(system, served.route(), served.socket(), host, port, Duration.ofSeconds(10));
  }

  /** The routes, and the updates socket that also serves the connections it recognises before them. */
  record Served(Route route, UpdatesSocket socket) {}

  static Served routes(
      ActorSystem<?> system, DataSource dataSource, ContentKeys contentKeys, ActorRef<UpdatesHub.Command> hub) {
    ApiSettings settings = ApiSettings.fromConfig(system.settings().config());
    ClusterSharding sharding = ClusterSharding.get(system);
    Executor jdbc = system.dispatchers().lookup(DispatcherSelector.fromConfig("herald.jdbc-dispatcher"));
    Executor kdf = system.dispatchers().lookup(DispatcherSelector.fromConfig("herald.kdf-dispatcher"));
    Authenticator authenticator = new Authenticator(sharding, settings.askTimeout());
    PasswordHasher hasher =
        new PasswordHasher(settings.argon2MemoryKib(), settings.argon2Iterations(), settings.argon2Parallelism());
    Chats chats = new Chats(sharding, settings.askTimeout());
    MeterRegistry registry = Metrics.get(system).registry();
    Messaging messaging =
        new Messaging(new SendBatching(chats, settings.sendBatch(), settings.askTimeout(), registry), registry);
    UpdatesSocket socket = new UpdatesSocket(system, hub, messaging, settings, authenticator);

    AccountRoutes accounts = new AccountRoutes(authenticator, settings, system, hasher, kdf);
    HistoryRepository historyRepository = new HistoryRepository(dataSource, jdbc);
    ContentOpener opener = new ContentOpener(contentKeys);
    ScheduledRoutes scheduled = new ScheduledRoutes(authenticator, settings, chats, opener);
    MessageRoutes messages =
        new MessageRoutes(
            authenticator, settings, chats, messaging, historyRepository, opener, scheduled,
            new ViewsProjection.Repository(dataSource, jdbc));
    ViewRoutes views = new ViewRoutes(authenticator, settings, chats, sharding);
    UpdatesRoutes updates = new UpdatesRoutes(authenticator, settings, socket);
    MemberRoutes members = new MemberRoutes(authenticator, settings, system);
    SyncRepository syncRepository =
        new SyncRepository(dataSource, jdbc, system.settings().config().getDuration("herald.projections.sync.commit-lag"));
    SyncRoutes sync = new SyncRoutes(authenticator, settings, syncRepository, historyRepository, opener);
    ChatRoutes chatRoutes =
        new ChatRoutes(authenticator, settings, system, new DialogsRepository(dataSource, jdbc), syncRepository, historyRepository, opener);
    Roles roles = Roles.fromConfig(system, settings.askTimeout());
    AnalyticsRoutes analytics =
        new AnalyticsRoutes(authenticator, settings, system, new AnalyticsRepository(dataSource, jdbc), roles, java.time.Clock.systemUTC());
    AdminRoutes admin = new AdminRoutes(authenticator, settings, roles);
    ProjectionAdminRoutes projectionAdmin =
        new ProjectionAdminRoutes(authenticator, settings, new ProjectionOps(system, dataSource), caller -> roles.require(caller, org.herald.domain.user.PlatformRole.ADMIN));

    ApiServer d = new ApiServer();
    Route route = ApiErrors.handled(
        d,
        () ->
            d.pathPrefix(
                "v1",
                () ->
                    d.concat(
                        d.path(
                            "openapi.json",
                            () -> d.get(() -> d.getFromResource("herald-openapi.json", ContentTypes.APPLICATION_JSON))),
                        accounts.routes(),
                        messages.routes(),
                        scheduled.routes(),
                        views.routes(),
                        members.routes(),
                        sync.routes(),
                        chatRoutes.routes(),
                        analytics.routes(),
                        admin.routes(),
                        projectionAdmin.routes(),
                        updates.routes())));
    return new Served(route, socket);
  }
}
