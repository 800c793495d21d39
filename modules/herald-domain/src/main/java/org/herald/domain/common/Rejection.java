package org.herald.domain.common;

/**
 * Why a command was refused: a stable code, a human-readable message that names the field, and
 * the field itself (or {@code null} when no single field is at fault).
 */
public record Rejection(ErrorCode code, String message, String field) implements CborSerializable {

  public static Rejection of(ErrorCode code, String message) {
    return new Rejection(code, message, null);
  }

  public static Rejection onField(ErrorCode code, String field, String message) {
    return new Rejection(code, message, field);
  }
}
