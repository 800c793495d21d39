package org.herald.api.common;

import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Rejection;

/**
 * A failure that the client contract names: status, wire code, a message naming the field, and
 * a retry hint where waiting helps. Thrown (or completed exceptionally) anywhere in a route and
 * turned into the error body by {@link ApiErrors}.
 */
public final class ApiException extends RuntimeException {
  private final StatusCode status;
  private final String code;
  private final String reason;
  private final Integer retryAfterSeconds;

  public ApiException(StatusCode status, String code, String message, String reason, Integer retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(StatusCodes.BAD_REQUEST, "BAD_REQUEST", message, null, null);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(StatusCodes.UNAUTHORIZED, "UNAUTHORIZED", message, null, null);
  }

  public static ApiException notFound(String message) {
    return new ApiException(StatusCodes.NOT_FOUND, "NOT_FOUND", message, null, null);
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(StatusCodes.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", message, null, null);
  }

  public static ApiException unavailable(String message, int retryAfterSeconds) {
    return new ApiException(StatusCodes.SERVICE_UNAVAILABLE, "UNAVAILABLE", message, null, retryAfterSeconds);
  }

  /** The one mapping from a domain rejection to the wire. */
  public static ApiException of(Rejection rejection) {
    ErrorCode code = rejection.code();
    StatusCode status =
        switch (code.kind()) {
          case INVALID -> StatusCodes.BAD_REQUEST;
          case UNAUTHENTICATED -> StatusCodes.UNAUTHORIZED;
          case FORBIDDEN -> StatusCodes.FORBIDDEN;
          case NOT_FOUND -> StatusCodes.NOT_FOUND;
          case CONFLICT -> StatusCodes.CONFLICT;
          case TOO_LARGE -> StatusCodes.PAYLOAD_TOO_LARGE;
          case RATE_LIMITED -> StatusCodes.TOO_MANY_REQUESTS;
          case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
        };
    String wire =
        code.wireCode() != null
            ? code.wireCode()
            : switch (code.kind()) {
              case INVALID -> "BAD_REQUEST";
              case UNAUTHENTICATED -> "UNAUTHORIZED";
              case FORBIDDEN -> "FORBIDDEN";
              case NOT_FOUND -> "NOT_FOUND";
              case CONFLICT -> "CONFLICT";
              case TOO_LARGE -> "PAYLOAD_TOO_LARGE";
              case RATE_LIMITED -> "FLOOD_WAIT";
              case UNAVAILABLE -> "UNAVAILABLE";
            };
    // Every "unavailable" refusal is transient: say when a retry will work.
    Integer retryAfter = code.kind() == ErrorCode.Kind.UNAVAILABLE ? 1 : null;
    return new ApiException(status, wire, rejection.message(), code.name(), retryAfter);
  }

  public StatusCode status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The domain reason ({@code TEXT_TOO_LONG}, …), or null; sent as an extra field. */
  public String reason() {
    return reason;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
