package org.herald.api.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.herald.domain.common.ErrorCode;
import org.herald.domain.common.Rejection;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {
  @Test
  void rejectionsMapToTheStatusOfTheirKindAndTheContractsCode() {
    assertEquals(400, ApiException.of(Rejection.onField(ErrorCode.TEXT_TOO_LONG, "text", "too long")).status().intValue());
    assertEquals("BAD_REQUEST", ApiException.of(Rejection.of(ErrorCode.TEXT_EMPTY, "empty")).code());
    assertEquals("TEXT_EMPTY", ApiException.of(Rejection.of(ErrorCode.TEXT_EMPTY, "empty")).reason());
    assertEquals(404, ApiException.of(Rejection.of(ErrorCode.CHAT_NOT_FOUND, "no")).status().intValue());
    assertEquals(403, ApiException.of(Rejection.of(ErrorCode.NOT_A_MEMBER, "no")).status().intValue());
    var taken = ApiException.of(Rejection.of(ErrorCode.USERNAME_TAKEN, "taken"));
    assertEquals(409, taken.status().intValue());
    assertEquals("USERNAME_TAKEN", taken.code());
    assertEquals(401, ApiException.of(Rejection.of(ErrorCode.INVALID_CREDENTIALS, "no")).status().intValue());
  }

  @Test
  void unavailableRefusalsSayWhenToRetryAndOthersDoNot() {
    var keys = ApiException.of(Rejection.of(ErrorCode.CONTENT_KEYS_UNAVAILABLE, "key table down"));
    assertEquals(503, keys.status().intValue());
    assertEquals("UNAVAILABLE", keys.code());
    assertEquals(1, keys.retryAfterSeconds());
    assertNull(ApiException.of(Rejection.of(ErrorCode.MESSAGE_DELETED, "gone")).retryAfterSeconds());
  }

  @Test
  void timeoutsAreUnavailableWithARetryHint() {
    var e = ApiErrors.toApiException(new CompletionException(new AskTimeoutException("slow")));
    assertEquals(503, e.status().intValue());
    assertEquals("UNAVAILABLE", e.code());
    assertTrue(e.retryAfterSeconds() > 0);
  }

  @Test
  void unknownFailuresAreInternalWithARequestIdAndNoDetails() {
    var e = ApiErrors.toApiException(new IllegalStateException("secret internals"));
    assertEquals(500, e.status().intValue());
    assertEquals("INTERNAL", e.code());
    assertTrue(e.getMessage().contains("request id"));
    assertTrue(!e.getMessage().contains("secret internals"));
    assertNull(e.retryAfterSeconds());
  }

  @Test
  void theErrorBodyHasTheContractsShape() throws Exception {
    var response = ApiErrors.response(ApiException.unavailable("busy", 3));
    assertEquals(503, response.status().intValue());
    var strict = (org.apache.pekko.http.javadsl.model.HttpEntity.Strict) response.entity();
    var body = Json.MAPPER.readTree(strict.getData().utf8String());
    assertEquals("UNAVAILABLE", body.path("error").path("code").asText());
    assertEquals("busy", body.path("error").path("message").asText());
    assertEquals(3, body.path("error").path("retryAfterSeconds").asInt());
    assertEquals("3", response.getHeader("Retry-After").get().value());
  }

  @Test
  void bodiesNameTheFieldAtFault() {
    Body body = Json.parse("{\"text\": 5, \"silent\": \"no\", \"n\": 1.5}");
    assertTrue(assertBad(() -> body.requiredString("text")).contains("text"));
    assertTrue(assertBad(() -> body.optionalBoolean("silent", false)).contains("silent"));
    assertTrue(assertBad(() -> body.optionalLong("n")).contains("n"));
    assertTrue(assertBad(() -> body.requiredString("missing")).contains("missing"));
    assertTrue(assertBad(() -> Json.parse("{\"a\": }")).contains("malformed JSON"));
    assertTrue(assertBad(() -> Json.parse("{} {}")).contains("malformed JSON"));
  }

  static String assertBad(Runnable r) {
    try {
      r.run();
    } catch (ApiException e) {
      assertEquals(400, e.status().intValue());
      return e.getMessage();
    }
    throw new AssertionError("expected a 400");
  }
}
