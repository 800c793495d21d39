package org.herald.domain.chat;

import org.herald.domain.common.CborSerializable;

/**
 * {@code userId} is typing in {@code chatId}. Published on the chat's topic by the node that
 * holds the typer's socket; never persisted, never numbered, and throttled at the source.
 */
public record TypingNotice(String chatId, String userId) implements CborSerializable {}
