package org.herald.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.herald.domain.common.UtcTime;

/** JSON on the wire: one mapper, ISO-8601 UTC times with milliseconds, absent fields omitted. */
public final class Json {
  /**
   * Jackson's buffers come from a pool shared by all threads, not from its default per-thread
   * one: most frames are written in callbacks on the JDK's common pool, whose workers erase their
   * thread-locals between tasks, so the per-thread pool started afresh for nearly every frame
   * (a new 4 KB buffer per `sent` frame, 16 % of the node's allocation; docs/benchmarks.md).
   */
  public static final ObjectMapper MAPPER =
      new ObjectMapper(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build())
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  public static String time(Instant instant) {
    return instant == null ? null : UtcTime.isoMillis(instant);
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize response", e);
    }
  }

  public static HttpResponse response(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, write(body));
  }

  public static HttpResponse ok(Object body) {
    return response(StatusCodes.OK, body);
  }

  public static HttpResponse created(Object body) {
    return response(StatusCodes.CREATED, body);
  }

  public static HttpResponse noContent() {
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
  }

  /** Parses a request body; malformed JSON is a 400 that says where. */
  public static Body parse(String text) {
    if (text == null || text.isBlank()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw ApiException.badRequest("malformed JSON" + where + ": " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    return new Body(node);
  }
}
