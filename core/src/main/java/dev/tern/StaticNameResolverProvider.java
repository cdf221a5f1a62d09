package dev.tern;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A resolver provider whose endpoints the application sets, for tests and for fixed server
 * lists: give it to {@code TernChannel.Builder.nameResolverProvider} and target
 * {@code <scheme>:///anything}. {@link #update} changes what every resolver it made reports.
 *
 * <pre>{@code
 * StaticNameResolverProvider servers = new StaticNameResolverProvider("static",
 *     List.of(Endpoint.of(a), Endpoint.of(b)));
 * TernChannel channel = TernChannel.builder().nameResolverProvider(servers)
 *     .target("static:///backends").build();
 * }</pre>
 *
 * <p>Thread-safe: its state is guarded by its monitor; listeners are called outside it.
 */
public final class StaticNameResolverProvider extends NameResolverProvider {
  private final String scheme;
  private final List<Resolver> resolvers = new ArrayList<>();
  private NameResolver.Result result;

  public StaticNameResolverProvider(String scheme, List<Endpoint> endpoints) {
    this.scheme = Objects.requireNonNull(scheme, "scheme");
    this.result = NameResolver.Result.of(endpoints);
  }

  @Override
  public String scheme() {
    return scheme;
  }

  /** Reports {@code newResult} to every started resolver, and to those started later. */
  public void update(NameResolver.Result newResult) {
    List<Resolver> targets;
    synchronized (this) {
      result = Objects.requireNonNull(newResult, "result");
      targets = new ArrayList<>(resolvers);
    }
    for (Resolver r : targets) {
      r.report(newResult);
    }
  }

  /** {@link #update(NameResolver.Result)} with these endpoints and no service config. */
  public void update(List<Endpoint> endpoints) {
    update(NameResolver.Result.of(endpoints));
  }

  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    String authority = target.getPath() == null || target.getPath().length() <= 1
        ? scheme : target.getPath().substring(1);
    return new Resolver(authority);
  }

  private final class Resolver extends NameResolver {
    private final String authority;
    private Listener listener; // guarded by StaticNameResolverProvider.this

    Resolver(String authority) {
      this.authority = authority;
    }

    @Override
    public String serviceAuthority() {
      return authority;
    }

    @Override
    public void start(Listener l) {
      NameResolver.Result first;
      synchronized (StaticNameResolverProvider.this) {
        listener = l;
        resolvers.add(this);
        first = result;
      }
      l.onResult(first);
    }

    @Override
    public void refresh() {
      NameResolver.Result current;
      synchronized (StaticNameResolverProvider.this) {
        current = result;
      }
      report(current);
    }

    void report(NameResolver.Result r) {
      Listener l;
      synchronized (StaticNameResolverProvider.this) {
        l = listener;
      }
      if (l != null) {
        l.onResult(r);
      }
    }

    @Override
    public void shutdown() {
      synchronized (StaticNameResolverProvider.this) {
        listener = null;
        resolvers.remove(this);
      }
    }
  }
}
