package org.herald.loadgen;

/**
 * An account a bench created, with the token of its one session. {@code index} is its place in
 * the list {@link BenchClient#createUsers} returned (0, 1, …), for arrays indexed by user.
 */
public record BenchUser(int index, String userId, String username, String token) {}
