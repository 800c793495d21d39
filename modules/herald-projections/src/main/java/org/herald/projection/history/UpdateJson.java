package org.herald.projection.history;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.HashMap;
import java.util.Map;
import org.herald.domain.chat.ChatUpdate;

/** The JSON form of a {@link ChatUpdate} stored in {@code chat_updates.body}. */
final class UpdateJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Immutable and thread-safe: built once, not per row. */
  private static final ObjectWriter WRITER = MAPPER.writerFor(ChatUpdate.class);

  /** Type names by update class, read once from {@link ChatUpdate}'s {@link JsonSubTypes}. */
  private static final Map<Class<?>, String> TYPE_NAMES = typeNames();

  private UpdateJson() {}

  static String write(ChatUpdate update) {
    try {
      return WRITER.writeValueAsString(update);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize update", e);
    }
  }

  /** The update's type name, as its JSON carries it ({@code message.new}, {@code member.left}, …). */
  static String typeOf(ChatUpdate update) {
    String name = TYPE_NAMES.get(update.getClass());
    if (name == null) {
      throw new IllegalStateException("no type name for " + update.getClass());
    }
    return name;
  }

  private static Map<Class<?>, String> typeNames() {
    Map<Class<?>, String> names = new HashMap<>();
    for (JsonSubTypes.Type type : ChatUpdate.class.getAnnotation(JsonSubTypes.class).value()) {
      names.put(type.value(), type.name());
    }
    return Map.copyOf(names);
  }

  static ChatUpdate read(String json) {
    try {
      return MAPPER.readValue(json, ChatUpdate.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt chat_updates row", e);
    }
  }
}
