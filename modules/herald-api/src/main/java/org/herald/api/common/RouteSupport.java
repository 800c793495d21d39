package org.herald.api.common;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** Directives every routes class shares: auth, bodies, query parameters, async answers. */
public abstract class RouteSupport extends AllDirectives {
  protected final Authenticator authenticator;
  protected final ApiSettings settings;

  protected RouteSupport(Authenticator authenticator, ApiSettings settings) {
    this.authenticator = authenticator;
    this.settings = settings;
  }

  /** Answers with the response the stage completes with, or the error body it fails with. */
  protected Route respond(CompletionStage<HttpResponse> response) {
    return completeWithFuture(response.exceptionally(ApiErrors::toResponse));
  }

  /** The bearer token from the Authorization header or, for browsers' WebSockets, ?token=. */
  protected Route withToken(Function<Optional<String>, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header ->
            parameterOptional(
                "token",
                query -> {
                  Optional<String> token = header.map(Authenticator::bearerToken);
                  return inner.apply(token.isPresent() ? token : query);
                }));
  }

  /** Runs {@code inner} for an authenticated caller; 401 otherwise. */
  protected Route authenticated(Function<Caller, Route> inner) {
    return withToken(
        token ->
            onComplete(
                authenticator.authenticate(token.orElse(null)),
                result ->
                    result.isSuccess()
                        ? inner.apply(result.get())
                        : complete(ApiErrors.toResponse(result.failed().get()))));
  }

  /** The request body as a JSON object, at most {@code herald.api.max-body-size} bytes. */
  protected Route jsonBody(Function<Body, Route> inner) {
    return withSizeLimit(
        settings.maxBodyBytes(),
        () ->
            entity(
                Unmarshaller.entityToString(),
                text -> {
                  Body body;
                  try {
                    body = Json.parse(text);
                  } catch (ApiException e) {
                    return complete(ApiErrors.response(e));
                  }
                  return inner.apply(body);
                }));
  }

  /**
   * For calls that take no body: whatever body a client sends anyway is read (up to the body
   * limit) before answering, so the connection stays usable for the next request.
   */
  protected Route ignoringBody(java.util.function.Supplier<Route> inner) {
    return withSizeLimit(settings.maxBodyBytes(), () -> toStrictEntity(java.time.Duration.ofSeconds(10), inner));
  }

  /** A non-negative integer query parameter; absent is {@code fallback}; anything else a 400. */
  protected static long longParam(Optional<String> value, String name, long fallback) {
    if (value.isEmpty() || value.get().isEmpty()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.get());
      if (parsed < 0) {
        throw ApiException.badRequest(name + " must not be negative");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be an integer");
    }
  }

  /** An integer query parameter between 1 and {@code max}; absent is {@code fallback}; anything else a 400 naming it. */
  protected static int boundedParam(Optional<String> value, String name, int fallback, int max) {
    long parsed = longParam(value, name, fallback);
    if (parsed < 1 || parsed > max) {
      throw ApiException.badRequest(name + " must be between 1 and " + max);
    }
    return (int) parsed;
  }

  /** A positive id from a path segment ({@code messageId}, {@code scheduledId}); anything else a 400 naming it. */
  protected static long positiveId(String segment, String name) {
    try {
      long id = Long.parseLong(segment);
      if (id >= 1) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(name + " must be a positive integer");
  }
}
