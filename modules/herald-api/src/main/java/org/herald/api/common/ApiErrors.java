package org.herald.api.common;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.herald.projection.common.ReadModelUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into the error body of the client contract:
 * {@code {"error": {"code", "message", "retryAfterSeconds"?}}}. Sealed at the root route.
 */
public final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  /** Error body. {@code reason} is the domain's specific reason, an addition to the contract. */
  public record ErrorBody(Error error) {
    public record Error(String code, String message, String reason, Integer retryAfterSeconds) {}
  }

  public static HttpResponse response(ApiException e) {
    HttpResponse response =
        Json.response(
            e.status(),
            new ErrorBody(new ErrorBody.Error(e.code(), e.getMessage(), e.reason(), e.retryAfterSeconds())));
    if (e.retryAfterSeconds() != null) {
      response =
          response.addHeader(
              org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
                  "Retry-After", String.valueOf(e.retryAfterSeconds())));
    }
    return response;
  }

  /** Any failure, as a client sees it. Unknown failures are logged once with a request id. */
  public static HttpResponse toResponse(Throwable failure) {
    return response(toApiException(failure));
  }

  public static ApiException toApiException(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiException e) {
      return e;
    }
    if (t instanceof EntityStreamSizeException e) {
      return ApiException.tooLarge("request body is larger than " + e.limit() + " bytes");
    }
    if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
      return ApiException.unavailable("the service is busy or recovering; retry shortly", 2);
    }
    if (t instanceof ReadModelUnavailable) {
      return ApiException.unavailable("the database is unavailable; retry shortly", 3);
    }
    String requestId = UUID.randomUUID().toString();
    log.error("unexpected failure, request id {}", requestId, t);
    return new ApiException(
        StatusCodes.INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error (request id " + requestId + ")",
        null,
        null);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** {@code inner} with every failure and rejection answered in the API's JSON error shape. */
  public static org.apache.pekko.http.javadsl.server.Route handled(
      org.apache.pekko.http.javadsl.server.AllDirectives d, java.util.function.Supplier<org.apache.pekko.http.javadsl.server.Route> inner) {
    return d.handleExceptions(exceptionHandler(), () -> d.handleRejections(rejectionHandler(), inner));
  }

  public static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(Throwable.class, t -> org.apache.pekko.http.javadsl.server.Directives.complete(toResponse(t)))
        .build();
  }

  /**
   * Pekko's default rejection answers (404 for unknown paths, 405, 400 for malformed query
   * parameters, …) with their status kept and their text moved into the error body.
   */
  public static RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(ApiErrors::asErrorBody);
  }

  private static HttpResponse asErrorBody(HttpResponse response) {
    if (response.entity() instanceof HttpEntity.Strict strict
        && strict.getContentType().mediaType().isText()) {
      String text = strict.getData().utf8String();
      StatusCode status = response.status();
      String code = codeFor(status);
      String message = text.isBlank() ? status.reason() : text;
      if (status.intValue() == 413) {
        // Pekko's text names its configuration keys; clients need only the limit.
        message = "request body is larger than the limit of this call";
      }
      ApiException e = new ApiException(status, code, message, null, null);
      return response(e).withHeaders(response.getHeaders());
    }
    return response;
  }

  private static final Map<Integer, String> CODES =
      Map.of(
          400, "BAD_REQUEST",
          401, "UNAUTHORIZED",
          403, "FORBIDDEN",
          404, "NOT_FOUND",
          405, "METHOD_NOT_ALLOWED",
          406, "NOT_ACCEPTABLE",
          413, "PAYLOAD_TOO_LARGE",
          415, "UNSUPPORTED_MEDIA_TYPE",
          429, "FLOOD_WAIT",
          503, "UNAVAILABLE");

  private static String codeFor(StatusCode status) {
    return CODES.getOrDefault(status.intValue(), "ERROR");
  }
}
