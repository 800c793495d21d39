package org.herald.api.common;

/** The authenticated caller of a request: a user, through one device session. */
public record Caller(String userId, String sessionId) {}
