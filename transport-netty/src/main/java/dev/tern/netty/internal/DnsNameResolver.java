package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Endpoint;
import dev.tern.NameResolver;
import dev.tern.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Resolves a host with the system's resolver ({@link InetAddress#getAllByName}: every A and AAAA
 * record, each address one endpoint) and, when the channel asks, its service config from the
 * {@code _grpc_config.<host>} TXT record ({@link DnsServiceConfig}, gRFC A2). Lookups run on the
 * channel's blocking executor. A refresh (a connection failed or got GOAWAY) resolves again at
 * most once per {@link #MIN_REFRESH_INTERVAL_NANOS}; one asked sooner is deferred to then, and a
 * failed lookup is retried then too.
 *
 * <p>Thread-safe: its state is guarded by its monitor; the listener is called outside it, by one
 * lookup at a time.
 */
final class DnsNameResolver extends NameResolver {
  private static final System.Logger LOG = System.getLogger(DnsNameResolver.class.getName());
  /** grpc doc/naming.md (and grpc-java): re-resolve DNS at most every 30 s. */
  static final long MIN_REFRESH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final String host;
  private final int port;
  private final String authority;
  private final Args args;

  // Guarded by this.
  private Listener listener;
  private boolean resolving;
  private boolean shutdown;
  private long lastResolveNanos;
  private boolean resolvedOnce;
  private ScheduledFuture<?> deferred;

  DnsNameResolver(String host, int port, String authority, Args args) {
    this.host = host;
    this.port = port;
    this.authority = authority;
    this.args = args;
  }

  @Override
  public String serviceAuthority() {
    return authority;
  }

  @Override
  public void start(Listener l) {
    synchronized (this) {
      listener = l;
    }
    refresh();
  }

  @Override
  public void refresh() {
    synchronized (this) {
      if (shutdown || resolving || deferred != null || listener == null) {
        return;
      }
      long sinceLast = System.nanoTime() - lastResolveNanos;
      if (resolvedOnce && sinceLast < MIN_REFRESH_INTERVAL_NANOS) {
        deferred = args.scheduler().schedule(this::deferredRefresh,
            MIN_REFRESH_INTERVAL_NANOS - sinceLast, TimeUnit.NANOSECONDS);
        return;
      }
      resolving = true;
      resolvedOnce = true;
      lastResolveNanos = System.nanoTime();
    }
    args.blockingExecutor().execute(this::resolve);
  }

  private void deferredRefresh() {
    synchronized (this) {
      deferred = null;
      lastResolveNanos = System.nanoTime() - MIN_REFRESH_INTERVAL_NANOS;
    }
    refresh();
  }

  private void resolve() {
    Result result = null;
    Status error = null;
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      List<Endpoint> endpoints = new ArrayList<>(all.length);
      for (InetAddress a : all) {
        endpoints.add(Endpoint.of(new InetSocketAddress(a, port)));
      }
      String config = args.serviceConfigLookup() ? DnsServiceConfig.lookup(host) : null;
      result = new Result(endpoints, config, Attributes.EMPTY);
    } catch (UnknownHostException e) {
      error = Status.UNAVAILABLE.withDescription("Unable to resolve host " + host + ": " + e)
          .withCause(e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "DNS lookup of " + host + " failed", e);
      error = Status.UNAVAILABLE.withDescription("DNS lookup of " + host + " failed: " + e)
          .withCause(e);
    }
    Listener l;
    synchronized (this) {
      resolving = false;
      l = shutdown ? null : listener;
    }
    if (l == null) {
      return;
    }
    if (result != null) {
      l.onResult(result);
    } else {
      l.onError(error);
      refresh(); // deferred to the next allowed time
    }
  }

  @Override
  public void shutdown() {
    synchronized (this) {
      shutdown = true;
      listener = null;
      if (deferred != null) {
        deferred.cancel(false);
        deferred = null;
      }
    }
  }
}
