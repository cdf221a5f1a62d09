package dev.tern;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Turns a channel's target into endpoints (grpc doc/naming.md). A channel makes one resolver,
 * {@linkplain #start starts} it when it first needs addresses, asks it to {@linkplain #refresh
 * resolve again} when a connection fails or the server sends GOAWAY, and {@linkplain #shutdown
 * shuts it down} with the channel. Resolvers are made by a {@link NameResolverProvider} for the
 * target's scheme.
 *
 * <p>Thread rules: the channel calls {@code start}, {@code refresh} and {@code shutdown} one at a
 * time; the resolver may call its {@link Listener} from any thread, but not concurrently, and never
 * after {@code shutdown} returned. Blocking work (a DNS query) belongs on
 * {@link Args#blockingExecutor()}, never on the thread that called.
 */
public abstract class NameResolver {
  /** Receives resolutions. */
  public interface Listener {
    /** A new, complete resolution: it replaces the previous one. */
    void onResult(Result result);

    /**
     * Resolution failed (for example UNAVAILABLE: the name does not exist). The channel keeps
     * using the last good result, if any, and will {@linkplain #refresh() refresh} later.
     */
    void onError(Status error);
  }

  /**
   * What a resolution found.
   *
   * @param endpoints the servers, in the resolver's order (an empty list is an error)
   * @param serviceConfigJson a gRPC service config (gRFC A2) from the name system, or null
   * @param attributes for the load balancer
   */
  public record Result(List<Endpoint> endpoints, String serviceConfigJson,
      Attributes attributes) {
    public Result {
      endpoints = List.copyOf(endpoints);
      Objects.requireNonNull(attributes, "attributes");
    }

    /** A result of these endpoints, without a service config. */
    public static Result of(List<Endpoint> endpoints) {
      return new Result(endpoints, null, Attributes.EMPTY);
    }
  }

  /**
   * What a resolver gets from the channel.
   *
   * @param defaultPort the port for a target that names none (443 with TLS, else 80)
   * @param serviceConfigLookup whether the channel wants a service config from the name system
   *     (for DNS: TXT records, gRFC A2); off by default
   * @param blockingExecutor where to run blocking lookups
   * @param scheduler for timers (e.g. rate-limited refreshes); never block on it
   */
  public record Args(int defaultPort, boolean serviceConfigLookup, Executor blockingExecutor,
      ScheduledExecutorService scheduler) {
    public Args {
      Objects.requireNonNull(blockingExecutor, "blockingExecutor");
      Objects.requireNonNull(scheduler, "scheduler");
    }
  }

  /** The authority calls send ({@code :authority}) unless the channel overrides it. */
  public abstract String serviceAuthority();

  /** Starts resolving; results and errors go to {@code listener}. Called once. */
  public abstract void start(Listener listener);

  /** Asks for a new resolution; a resolver may rate-limit these (DNS: once per 30 s). */
  public void refresh() {}

  /** Stops: no more calls to the listener. */
  public abstract void shutdown();
}
