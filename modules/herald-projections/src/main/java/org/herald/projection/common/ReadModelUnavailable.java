package org.herald.projection.common;

/** A read-model query failed because the database did not answer; the API maps it to 503. */
public final class ReadModelUnavailable extends RuntimeException {
  public ReadModelUnavailable(Throwable cause) {
    super("read model unavailable: " + cause.getMessage(), cause);
  }
}
