package org.herald.api.common;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** CSV answers (RFC 4180): a header row, CRLF line ends, fields quoted only when they must be. */
public final class Csv {
  public static final ContentType.NonBinary CONTENT_TYPE = MediaTypes.TEXT_CSV.toContentType(HttpCharsets.UTF_8);

  private Csv() {}

  public static HttpResponse ok(List<String> header, List<List<Object>> rows) {
    return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(CONTENT_TYPE, write(header, rows));
  }

  public static String write(List<String> header, List<List<Object>> rows) {
    StringBuilder out = new StringBuilder();
    line(out, List.copyOf(header));
    for (List<Object> row : rows) {
      line(out, row);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<?> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(field(fields.get(i)));
    }
    out.append("\r\n");
  }

  static String field(Object value) {
    String text = value == null ? "" : value.toString();
    if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
      return text;
    }
    return '"' + text.replace("\"", "\"\"") + '"';
  }
}
