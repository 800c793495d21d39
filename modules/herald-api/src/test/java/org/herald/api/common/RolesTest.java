package org.herald.api.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolesTest {
  @Test
  void configuredUsernamesAreAListOrACommaSeparatedStringInAnyCase() {
    var config = ConfigFactory.parseString("a = [Alice, bob], b = \" Carol ,dave,, \", c = []");
    assertEquals(Set.of("alice", "bob"), Roles.usernames(config, "a"));
    assertEquals(Set.of("carol", "dave"), Roles.usernames(config, "b"));
    assertEquals(Set.of(), Roles.usernames(config, "c"));
    assertEquals(Set.of(), Roles.usernames(config, "missing"));
  }
}
