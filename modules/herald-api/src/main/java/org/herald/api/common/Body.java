package org.herald.api.common;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A parsed JSON object with typed, field-naming accessors: every shape error is a 400 whose
 * message names the field.
 */
public final class Body {
  private final JsonNode node;

  public Body(JsonNode node) {
    this.node = node;
  }

  private JsonNode present(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  public boolean has(String field) {
    return present(field) != null;
  }

  public String requiredString(String field) {
    String value = optionalString(field);
    if (value == null) {
      throw ApiException.badRequest(field + " is required");
    }
    return value;
  }

  public String optionalString(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(field + " must be a string");
    }
    return value.asText();
  }

  public boolean optionalBoolean(String field, boolean fallback) {
    JsonNode value = present(field);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw ApiException.badRequest(field + " must be true or false");
    }
    return value.booleanValue();
  }

  /** True when the field is present with the value {@code null} (as opposed to absent). */
  public boolean isExplicitNull(String field) {
    JsonNode value = node.get(field);
    return value != null && value.isNull();
  }

  /** A list of strings; absent is an empty list. */
  public java.util.List<String> optionalStringList(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return java.util.List.of();
    }
    if (!value.isArray()) {
      throw ApiException.badRequest(field + " must be an array of strings");
    }
    java.util.List<String> out = new java.util.ArrayList<>(value.size());
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw ApiException.badRequest(field + " must be an array of strings");
      }
      out.add(item.asText());
    }
    return out;
  }

  /** A list of integers; absent is an empty list. */
  public java.util.List<Long> optionalLongList(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return java.util.List.of();
    }
    if (!value.isArray()) {
      throw ApiException.badRequest(field + " must be an array of integers");
    }
    java.util.List<Long> out = new java.util.ArrayList<>(value.size());
    for (JsonNode item : value) {
      if (!item.isIntegralNumber() || !item.canConvertToLong()) {
        throw ApiException.badRequest(field + " must be an array of integers");
      }
      out.add(item.longValue());
    }
    return out;
  }

  public Long optionalLong(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw ApiException.badRequest(field + " must be an integer");
    }
    return value.longValue();
  }

  public long requiredLong(String field) {
    Long value = optionalLong(field);
    if (value == null) {
      throw ApiException.badRequest(field + " is required");
    }
    return value;
  }
}
