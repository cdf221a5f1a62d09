package dev.tern.netty.internal;

import dev.tern.NameResolver;
import dev.tern.NameResolverProvider;
import dev.tern.internal.ServiceConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a channel's target becomes a resolver (grpc doc/naming.md): a target with a scheme
 * ({@code dns:///h:p}, {@code unix:/path}, ...) goes to that scheme's provider; {@code host:port}
 * keeps one connection unless the service config asks for load balancing or DNS service config
 * lookup, in which case it is {@code dns:///host:port}. Stateless.
 */
public final class ChannelTargets {
  /** RFC 3986 §3.1 scheme, then the rest; {@code host:8080} is not a scheme target. */
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):(.*)");

  private ChannelTargets() {}

  /** {@code target} as a URI if it has a scheme, null if it is {@code host:port}. */
  public static URI schemeTarget(String target) {
    Matcher m = SCHEME.matcher(target);
    if (!m.matches() || m.group(2).matches("\\d+")) {
      return null;
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    try {
      // The multi-argument constructor quotes what a raw URI may not hold (spaces, ...).
      return new URI(scheme, m.group(2), null);
    } catch (URISyntaxException e) {
      try {
        // An IPv6 literal in a path (dns:///[::1]:80): brackets are legal only in an authority,
        // so they are escaped; the resolver reads the decoded path.
        return new URI(scheme + ":" + m.group(2).replace("[", "%5B").replace("]", "%5D"));
      } catch (URISyntaxException again) {
        throw new IllegalArgumentException("malformed target " + target + ": "
            + e.getMessage(), e);
      }
    }
  }

  /**
   * The resolver for the channel, or null for a single {@code host:port} connection.
   *
   * @throws IllegalArgumentException for an unknown scheme or a target its provider refuses
   */
  public static NameResolver resolver(URI target, String host, int port, ServiceConfig config,
      boolean serviceConfigLookup, List<NameResolverProvider> extra, NameResolver.Args args) {
    URI uri = target;
    if (uri == null) {
      if (config.loadBalancingConfigs().isEmpty() && !serviceConfigLookup) {
        return null;
      }
      uri = schemeTarget("dns:///" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":"
          + port);
    }
    Map<String, NameResolverProvider> providers = ProviderRegistry.resolvers(extra);
    NameResolverProvider provider = providers.get(uri.getScheme());
    if (provider == null) {
      throw new IllegalArgumentException("no name resolver for scheme \"" + uri.getScheme()
          + "\" of target " + uri + " (known: " + new java.util.TreeSet<>(providers.keySet())
          + "; for host:port, give the port as digits)");
    }
    return provider.newNameResolver(uri, args);
  }

  /** Whether any method config has a retry or hedging policy. */
  public static boolean hasPolicies(ServiceConfig config) {
    for (ServiceConfig.MethodConfig mc : config.methodConfigs()) {
      if (mc.retryPolicy() != null || mc.hedgingPolicy() != null) {
        return true;
      }
    }
    return false;
  }
}
