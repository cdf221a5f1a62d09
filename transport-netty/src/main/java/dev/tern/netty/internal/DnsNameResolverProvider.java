package dev.tern.netty.internal;

import dev.tern.NameResolver;
import dev.tern.NameResolverProvider;
import java.net.URI;

/**
 * {@code dns:///host[:port]} (grpc doc/naming.md), also used for plain {@code host:port} targets
 * whose channel balances load. A DNS server in the authority ({@code dns://8.8.8.8/host}) is
 * refused: Tern asks the system's resolver. Immutable.
 */
public final class DnsNameResolverProvider extends NameResolverProvider {
  @Override
  public String scheme() {
    return "dns";
  }

  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    if (target.getRawAuthority() != null && !target.getRawAuthority().isEmpty()) {
      throw new IllegalArgumentException("dns target names a DNS server (" + target.getAuthority()
          + "), which Tern does not support: use dns:///host:port (the system's resolver)");
    }
    String path = target.isOpaque() ? target.getSchemeSpecificPart() : target.getPath();
    if (path == null || path.length() <= 1 || (!target.isOpaque() && path.charAt(0) != '/')) {
      throw new IllegalArgumentException("dns target must be dns:///host[:port]: " + target);
    }
    String hostPort = target.isOpaque() ? path : path.substring(1);
    String host;
    int port = args.defaultPort();
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("unclosed [ in dns target " + target);
      }
      host = hostPort.substring(1, end);
      if (end + 1 < hostPort.length()) {
        port = port(hostPort.substring(end + 1), target);
      }
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon >= 0 && hostPort.indexOf(':') == colon) {
        host = hostPort.substring(0, colon);
        port = port(hostPort.substring(colon), target);
      } else {
        host = hostPort; // no port, or a bare IPv6 literal
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("dns target has no host: " + target);
    }
    return new DnsNameResolver(host, port, hostPort, args);
  }

  private static int port(String colonPort, URI target) {
    if (!colonPort.startsWith(":")) {
      throw new IllegalArgumentException("bad port in dns target " + target);
    }
    try {
      int p = Integer.parseInt(colonPort.substring(1));
      if (p > 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("bad port in dns target " + target);
  }
}
