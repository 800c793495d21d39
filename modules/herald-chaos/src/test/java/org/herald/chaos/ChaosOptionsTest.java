package org.herald.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosOptionsTest {
  private static final Map<String, String> DB =
      Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:5432/herald_chaos", "HERALD_DB_USER", "u", "HERALD_DB_PASSWORD", "p");

  private static ChaosOptions parse(String... args) {
    return ChaosOptions.parse(List.of(args), DB);
  }

  private static String refused(String... args) {
    return assertThrows(ChaosOptions.UsageException.class, () -> parse(args)).getMessage();
  }

  @Test
  void defaultsAreThreeNodesForFiveMinutesWithAFaultEveryFifteenSeconds() {
    ChaosOptions o = parse();
    assertEquals(3, o.nodes());
    assertEquals(Duration.ofSeconds(300), o.duration());
    assertEquals(Duration.ofSeconds(15), o.killEvery());
    assertEquals(Duration.ofSeconds(15), o.freezeFor());
    assertEquals(24, o.users());
    assertEquals("jdbc:postgresql://127.0.0.1:5432/herald_chaos", o.dbUrl());
    assertEquals("u", o.dbUser());
    assertEquals("p", o.dbPassword());
  }

  @Test
  void flagsOverrideDefaultsAndDurationsTakeSeconds() {
    ChaosOptions o =
        parse("--nodes", "5", "--duration", "60s", "--kill-every", "12.5s", "--freeze-for", "8s", "--restart-after", "0s",
            "--users", "10", "--rate", "30", "--seed", "42", "--work-dir", "/tmp/x", "--db-url", "jdbc:postgresql://h/db");
    assertEquals(5, o.nodes());
    assertEquals(Duration.ofSeconds(60), o.duration());
    assertEquals(Duration.ofMillis(12_500), o.killEvery());
    assertEquals(Duration.ofSeconds(8), o.freezeFor());
    assertEquals(Duration.ZERO, o.restartAfter());
    assertEquals(10, o.users());
    assertEquals(30.0, o.rate());
    assertEquals(42L, o.seed());
    assertEquals(Path.of("/tmp/x"), o.workDir());
    assertEquals("jdbc:postgresql://h/db", o.dbUrl());
  }

  @Test
  void durationsWithoutTheirUnitOrZeroAreRefused() {
    assertTrue(refused("--duration", "300").contains("--duration must be a number of seconds with an s"));
    assertTrue(refused("--kill-every", "15m").contains("--kill-every must be a number of seconds"));
    assertTrue(refused("--freeze-for", "-3s").contains("--freeze-for must be a number of seconds"));
    assertTrue(refused("--duration", "0s").contains("--duration must be more than 0s"));
  }

  @Test
  void badCountsAndUnknownFlagsAreRefused() {
    assertTrue(refused("--nodes", "2").contains("--nodes must be a whole number from 3 to 9"));
    assertTrue(refused("--nodes", "three").contains("--nodes must be a whole number"));
    assertTrue(refused("--users", "1").contains("--users must be a whole number from 2"));
    assertTrue(refused("--rate", "0").contains("--rate must be messages per second"));
    assertTrue(refused("--kills", "3").contains("unknown option --kills"));
    assertTrue(refused("--duration").contains("missing value after --duration"));
  }

  @Test
  void everyBadValueNamesItsOption() {
    assertTrue(refused("--restart-after", "5").contains("--restart-after must be a number of seconds"));
    assertTrue(refused("--freeze-every", "-1").contains("--freeze-every must be a whole number from 0 to 1000"));
    assertTrue(refused("--min-faults", "1001").contains("--min-faults must be a whole number from 0 to 1000"));
    assertTrue(refused("--rate", "2001").contains("--rate must be messages per second"));
    assertTrue(refused("--seed", "x").contains("--seed must be a whole number"));
    assertTrue(refused("--kills").contains("unknown option --kills"));
    assertTrue(refused("--users", "10", "--rate").contains("missing value after --rate"));
  }

  @Test
  void durationsAreShownTheWayTheyAreGiven() {
    assertEquals("15s", ChaosOptions.format(Duration.ofSeconds(15)));
    assertEquals("12.5s", ChaosOptions.format(parse("--kill-every", "12.5s").killEvery()));
    assertEquals("0.05s", ChaosOptions.format(Duration.ofMillis(50)));
  }

  @Test
  void aBlankDatabaseUrlInTheEnvironmentIsNoDatabase() {
    assertTrue(assertThrows(ChaosOptions.UsageException.class, () -> ChaosOptions.parse(List.of(), Map.of("HERALD_DB_URL", " ")))
        .getMessage().contains("no database"));
  }

  @Test
  void faultsMayNotBeFurtherApartThanTheRunIsLong() {
    assertTrue(refused("--duration", "10s", "--kill-every", "15s").contains("must not exceed --duration"));
  }

  @Test
  void aRunNeedsAPostgresDatabaseButADryRunDoesNot() {
    assertTrue(assertThrows(ChaosOptions.UsageException.class, () -> ChaosOptions.parse(List.of(), Map.of()))
        .getMessage().contains("no database"));
    assertTrue(refused("--db-url", "jdbc:h2:mem:x").contains("PostgreSQL JDBC URL"));
    assertTrue(ChaosOptions.parse(List.of("--dry-run"), Map.of()).dryRun());
  }

  @Test
  void helpIsAUsageExceptionWithoutMessage() {
    assertEquals("", refused("--help"));
  }

  @Test
  void theSecondFaultAndEveryFourthAfterItAreFreezes() {
    ChaosOptions o = parse();
    assertFalse(o.freezes(1));
    assertTrue(o.freezes(2));
    assertFalse(o.freezes(3));
    assertFalse(o.freezes(4));
    assertFalse(o.freezes(5));
    assertTrue(o.freezes(6));
    assertTrue(o.freezes(10));
    ChaosOptions never = parse("--freeze-every", "0");
    assertFalse(never.freezes(2));
  }
}
