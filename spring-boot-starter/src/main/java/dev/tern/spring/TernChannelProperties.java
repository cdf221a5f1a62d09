package dev.tern.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * One channel's {@code tern.client.NAME.*} properties. Unset optional values keep
 * {@code TernChannel}'s own defaults.
 *
 * @param target where to connect: {@code host:port}, {@code dns:///host:port} or any target the
 *     channel's name resolvers accept
 * @param plaintext HTTP/2 without TLS (prior knowledge); default false, TLS with the JDK's
 *     trust store
 * @param overrideAuthority the {@code :authority} (and TLS name) to use instead of the target's
 * @param defaultDeadline the deadline of calls made without one
 * @param maxInboundMessageSize the largest response message accepted
 * @param keepaliveTime how long a connection may be idle before the channel pings
 * @param keepaliveTimeout how long the channel waits for a ping's answer
 * @param executor where response callbacks run
 */
public record TernChannelProperties(
    String target,
    @DefaultValue("false") boolean plaintext,
    String overrideAuthority,
    Duration defaultDeadline,
    DataSize maxInboundMessageSize,
    Duration keepaliveTime,
    Duration keepaliveTimeout,
    @DefaultValue("pool") TernExecutor executor) {}
