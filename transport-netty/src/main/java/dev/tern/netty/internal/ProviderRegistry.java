package dev.tern.netty.internal;

import dev.tern.LoadBalancerProvider;
import dev.tern.NameResolverProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The resolver providers (by scheme) and load-balancing policies (by name) a channel can use:
 * Tern's own, then those found with {@link ServiceLoader}, then the builder's, each later one
 * replacing an earlier one of the same name. Stateless.
 */
public final class ProviderRegistry {
  private ProviderRegistry() {}

  public static Map<String, NameResolverProvider> resolvers(List<NameResolverProvider> extra) {
    Map<String, NameResolverProvider> out = new HashMap<>();
    put(out, new DnsNameResolverProvider());
    for (NameResolverProvider p : AddressListResolverProvider.all()) {
      put(out, p);
    }
    for (NameResolverProvider p : ServiceLoader.load(NameResolverProvider.class)) {
      put(out, p);
    }
    for (NameResolverProvider p : extra) {
      put(out, p);
    }
    return out;
  }

  private static void put(Map<String, NameResolverProvider> out, NameResolverProvider p) {
    out.put(p.scheme().toLowerCase(Locale.ROOT), p);
  }

  public static Map<String, LoadBalancerProvider> policies(List<LoadBalancerProvider> extra) {
    Map<String, LoadBalancerProvider> out = new HashMap<>();
    out.put("pick_first", new PickFirstLoadBalancer.Provider());
    out.put("round_robin", new RoundRobinLoadBalancer.Provider());
    for (LoadBalancerProvider p : ServiceLoader.load(LoadBalancerProvider.class)) {
      out.put(p.policyName(), p);
    }
    for (LoadBalancerProvider p : extra) {
      out.put(p.policyName(), p);
    }
    return out;
  }
}
