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
    return optionalList(field, "strings", JsonNode::isTextual, JsonNode::asText);
  }

  /** A list of integers; absent is an empty list. */
  public java.util.List<Long> optionalLongList(String field) {
    return optionalList(field, "integers", item -> item.isIntegralNumber() && item.canConvertToLong(), JsonNode::longValue);
  }

  private <T> java.util.List<T> optionalList(
      String field, String what, java.util.function.Predicate<JsonNode> fits, java.util.function.Function<JsonNode, T> read) {
    JsonNode value = present(field);
    if (value == null) {
      return java.util.List.of();
    }
    if (!value.isArray()) {
      throw ApiException.badRequest(field + " must be an array of " + what);
    }
    java.util.List<T> out = new java.util.ArrayList<>(value.size());
    for (JsonNode item : value) {
      if (!fits.test(item)) {
        throw ApiException.badRequest(field + " must be an array of " + what);
      }
      out.add(read.apply(item));
    }
    return out;
  }

  /** A message text: present, a string, 1-4096 characters (else a 400 naming the field). */
  public String requiredText(String field) {
    String text = requiredString(field);
    var invalid = org.herald.domain.common.Limits.checkText(text, field);
    if (invalid != null) {
      throw ApiException.of(invalid);
    }
    return text;
  }

  /** {@link #requiredText} when present; null when absent. */
  public String optionalText(String field) {
    return has(field) ? requiredText(field) : null;
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
