package org.herald.projection.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class HistoryProjectionTest {

  @Test
  void messageNewRowsAreLeanByDefaultFullOnRequestAndNothingElse() {
    String setting = ConfigFactory.load().getString(HistoryProjection.MESSAGE_NEW_ROWS);
    assertEquals("lean", setting);
    assertFalse(HistoryProjection.fullMessageNewRows(setting));
    assertTrue(HistoryProjection.fullMessageNewRows("full"));
    var bad = assertThrows(IllegalArgumentException.class, () -> HistoryProjection.fullMessageNewRows("Full"));
    assertEquals("herald.projections.history.message-new-rows must be lean or full, not \"Full\"", bad.getMessage());
  }
}
