package dev.tern;

import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One server as a name resolver sees it: the addresses it is reachable at (for example its IPv6
 * and IPv4 address), tried in order by {@code pick_first}, and attributes for the load balancer.
 * An address is an {@link java.net.InetSocketAddress} or a {@link java.net.UnixDomainSocketAddress}.
 *
 * @param addresses at least one
 * @param attributes for the load balancer; {@link Attributes#EMPTY} when there are none
 */
public record Endpoint(List<SocketAddress> addresses, Attributes attributes) {
  public Endpoint {
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("an endpoint needs at least one address");
    }
    Objects.requireNonNull(attributes, "attributes");
  }

  /** An endpoint of one address and no attributes. */
  public static Endpoint of(SocketAddress address) {
    return new Endpoint(List.of(address), Attributes.EMPTY);
  }
}
