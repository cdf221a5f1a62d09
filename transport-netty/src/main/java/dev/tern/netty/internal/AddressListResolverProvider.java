package dev.tern.netty.internal;

import dev.tern.Endpoint;
import dev.tern.NameResolver;
import dev.tern.NameResolverProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The literal-address schemes of grpc doc/naming.md: {@code ipv4:a.b.c.d[:port][,...]},
 * {@code ipv6:addr} or {@code ipv6:[addr]:port[,...]}, and {@code unix:path} /
 * {@code unix:///absolute/path}. Nothing is looked up: the resolver reports its addresses once,
 * each address one endpoint. Immutable.
 */
public final class AddressListResolverProvider extends NameResolverProvider {
  private final String scheme;

  private AddressListResolverProvider(String scheme) {
    this.scheme = scheme;
  }

  public static List<NameResolverProvider> all() {
    return List.of(new AddressListResolverProvider("ipv4"),
        new AddressListResolverProvider("ipv6"), new AddressListResolverProvider("unix"));
  }

  @Override
  public String scheme() {
    return scheme;
  }

  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    List<Endpoint> endpoints = new ArrayList<>();
    String authority;
    if (scheme.equals("unix")) {
      // unix:relative/or/absolute and unix:///absolute (doc/naming.md): no authority allowed.
      if (target.getRawAuthority() != null) {
        throw new IllegalArgumentException("unix target must not name an authority"
            + " (unix:path or unix:///absolute/path): " + target);
      }
      String path = target.isOpaque() ? target.getSchemeSpecificPart() : target.getPath();
      if (path == null || path.isEmpty()) {
        throw new IllegalArgumentException("unix target has no path: " + target);
      }
      endpoints.add(Endpoint.of(UnixDomainSocketAddress.of(path)));
      authority = "localhost";
    } else {
      if (!target.isOpaque()) {
        throw new IllegalArgumentException(scheme + " target must be " + scheme
            + ":address[:port][,address[:port]...]: " + target);
      }
      String list = target.getSchemeSpecificPart();
      for (String part : list.split(",", -1)) {
        endpoints.add(Endpoint.of(parse(part.trim(), args.defaultPort(), target)));
      }
      authority = list.split(",", -1)[0].trim();
    }
    return new Fixed(authority, NameResolver.Result.of(endpoints));
  }

  private SocketAddress parse(String part, int defaultPort, URI target) {
    String host = part;
    int port = defaultPort;
    if (scheme.equals("ipv6")) {
      if (part.startsWith("[")) {
        int end = part.indexOf(']');
        if (end < 0 || (end + 1 < part.length() && part.charAt(end + 1) != ':')) {
          throw bad(part, target);
        }
        host = part.substring(1, end);
        if (end + 1 < part.length()) {
          port = port(part.substring(end + 2), part, target);
        }
      }
    } else {
      int colon = part.lastIndexOf(':');
      if (colon >= 0) {
        host = part.substring(0, colon);
        port = port(part.substring(colon + 1), part, target);
      }
    }
    if (!isLiteral(host)) {
      throw bad(part, target);
    }
    try {
      // A literal is parsed, never looked up.
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw bad(part, target);
    }
  }

  private boolean isLiteral(String host) {
    if (scheme.equals("ipv4")) {
      return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
    return host.indexOf(':') >= 0 && host.matches("[0-9a-fA-F:.%]+");
  }

  private static int port(String s, String part, URI target) {
    try {
      int p = Integer.parseInt(s);
      if (p > 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("bad port in " + part + " of " + target);
  }

  private IllegalArgumentException bad(String part, URI target) {
    return new IllegalArgumentException("not an " + scheme + " address: \"" + part + "\" in "
        + target);
  }

  /** Reports one fixed result. */
  private static final class Fixed extends NameResolver {
    private final String authority;
    private final Result result;

    Fixed(String authority, Result result) {
      this.authority = authority;
      this.result = result;
    }

    @Override
    public String serviceAuthority() {
      return authority;
    }

    @Override
    public void start(Listener listener) {
      listener.onResult(result);
    }

    @Override
    public void shutdown() {}
  }
}
