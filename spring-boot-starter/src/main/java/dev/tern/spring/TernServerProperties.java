package dev.tern.spring;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code tern.server.*} properties. Unset optional values keep {@code TernServer}'s own
 * defaults, so the defaults live in one place.
 *
 * @param enabled whether to start a server at all
 * @param port the port; 0 picks a free one, published as {@code local.tern.server.port}
 * @param address the address to bind (default: all interfaces)
 * @param maxInboundMessageSize the largest request message accepted
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS per connection
 * @param keepaliveTime how long a connection may be idle before the server pings it
 * @param keepaliveTimeout how long the server waits for a ping's answer
 * @param maxConnectionAge when a connection is sent GOAWAY to spread load
 * @param maxConnectionIdle when a connection without calls is closed
 * @param shutdownGracePeriod how long calls in flight may run once shutdown starts
 * @param executor where handlers run
 * @param tls the certificate chain and key (PEM files); both or neither
 * @param health the {@code grpc.health.v1.Health} service
 * @param reflection the {@code grpc.reflection} services
 */
@ConfigurationProperties("tern.server")
public record TernServerProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("9090") int port,
    String address,
    DataSize maxInboundMessageSize,
    Integer maxConcurrentStreams,
    Duration keepaliveTime,
    Duration keepaliveTimeout,
    Duration maxConnectionAge,
    Duration maxConnectionIdle,
    @DefaultValue("30s") Duration shutdownGracePeriod,
    @DefaultValue("pool") TernExecutor executor,
    Tls tls,
    @DefaultValue Service health,
    @DefaultValue Service reflection) {

  /**
   * {@code tern.server.tls.*}: PEM files.
   *
   * @param certificateChain the server's certificate chain (PEM)
   * @param privateKey the server's private key (PEM, PKCS#8)
   */
  public record Tls(Path certificateChain, Path privateKey) {}

  /**
   * {@code tern.server.health.enabled}, {@code tern.server.reflection.enabled}.
   *
   * @param enabled whether the server serves it
   */
  public record Service(@DefaultValue("true") boolean enabled) {}
}
