package org.herald.projection.push;

/**
 * One notification for one device. It names the message, never its text: the device fetches
 * the message itself, so no message text leaves the server through a push service.
 * {@code notificationId} is stable per message and device, for collapsing at the gateway.
 */
public record PushNotification(
    String notificationId, String userId, String sessionId, String pushToken, String chatId, long messageId) {}
