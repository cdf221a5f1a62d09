package dev.tern;

import java.net.URI;

/**
 * Makes {@link NameResolver}s for one target scheme ({@code dns}, {@code unix}, ...). Providers
 * are found with {@link java.util.ServiceLoader} (a {@code META-INF/services/dev.tern.NameResolverProvider}
 * entry) or given to the channel's builder, which wins for its scheme. Implementations are
 * thread-safe.
 */
public abstract class NameResolverProvider {
  /** The scheme this provider resolves, lower case ({@code "dns"}). */
  public abstract String scheme();

  /**
   * A resolver for {@code target} (a URI of this provider's scheme).
   *
   * @throws IllegalArgumentException with a readable reason if the target is malformed or not
   *     supported; the channel's builder passes it on
   */
  public abstract NameResolver newNameResolver(URI target, NameResolver.Args args);
}
