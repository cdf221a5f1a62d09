package dev.tern;

import java.util.Map;

/**
 * Makes {@link LoadBalancer}s of one policy, named as in a service config's
 * {@code loadBalancingConfig} ({@code "round_robin"}). Found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.tern.LoadBalancerProvider}); Tern's own {@code pick_first} and
 * {@code round_robin} are built in. Thread-safe.
 */
public abstract class LoadBalancerProvider {
  /** The policy name. */
  public abstract String policyName();

  /**
   * Checks and converts the policy's JSON config (maps, lists, strings, doubles, booleans).
   *
   * @throws IllegalArgumentException naming the bad field
   */
  public Object parseConfig(Map<String, ?> rawConfig) {
    return rawConfig;
  }

  /** A new balancer that acts through {@code helper}. */
  public abstract LoadBalancer newLoadBalancer(LoadBalancer.Helper helper);
}
