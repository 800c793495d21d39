package org.herald.domain.user;

import java.util.Locale;

/**
 * A role on the whole platform, as opposed to a member's role in one chat ({@code chat.Role}).
 * Granted by configuration (usernames) or by command ({@code GrantRole}); an admin also holds
 * every analyst permission. Part of the journal schema through {@code RoleGranted}: never rename.
 */
public enum PlatformRole {
  /** Reads platform statistics. */
  ANALYST,
  /** Grants and revokes roles; reads platform statistics. */
  ADMIN;

  /** The name clients and configuration use: {@code analyst}, {@code admin}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code name} (any case), or null. */
  public static PlatformRole fromWire(String name) {
    for (PlatformRole role : values()) {
      if (role.wireName().equalsIgnoreCase(name)) {
        return role;
      }
    }
    return null;
  }

  /** Whether holding this role satisfies a check for {@code required}. */
  public boolean satisfies(PlatformRole required) {
    return this == required || this == ADMIN;
  }
}
