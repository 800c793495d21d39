package org.herald.api.common;

import com.typesafe.config.Config;
import java.time.Duration;

/** Settings of the API, from {@code herald.api}. */
public record ApiSettings(
    Duration askTimeout,
    long maxBodyBytes,
    int socketBufferSize,
    int socketSendParallelism,
    Duration socketKeepAlive,
    int argon2MemoryKib,
    int argon2Iterations,
    int argon2Parallelism,
    int sendBatch) {

  public static ApiSettings fromConfig(Config config) {
    Config c = config.getConfig("herald.api");
    return new ApiSettings(
        c.getDuration("ask-timeout"),
        c.getBytes("max-body-size"),
        c.getInt("socket.buffer-size"),
        c.getInt("socket.send-parallelism"),
        c.getDuration("socket.keep-alive"),
        c.getInt("password.argon2.memory-kib"),
        c.getInt("password.argon2.iterations"),
        c.getInt("password.argon2.parallelism"),
        c.getInt("send-batch"));
  }
}
