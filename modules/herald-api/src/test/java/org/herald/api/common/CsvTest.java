package org.herald.api.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
  @Test
  void fieldsAreQuotedOnlyWhenTheyMustBeAndLinesEndInCrLf() {
    String csv = Csv.write(List.of("a", "b"), List.of(Arrays.<Object>asList("plain", 3L), Arrays.<Object>asList("x,y", "say \"hi\"\nthere"), Arrays.<Object>asList(null, "")));
    assertEquals("a,b\r\nplain,3\r\n\"x,y\",\"say \"\"hi\"\"\nthere\"\r\n,\r\n", csv);
  }
}
