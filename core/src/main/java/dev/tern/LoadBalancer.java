package dev.tern;

import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Spreads a channel's calls over its endpoints (grpc doc/load-balancing.md). The channel gives
 * the balancer each resolution ({@link #acceptResolvedAddresses}); the balancer makes
 * {@linkplain Subchannel subchannels} (one connection each, with its own connectivity state and
 * reconnect backoff) through its {@link Helper}, watches their states, and publishes the
 * channel's state with a {@link SubchannelPicker} that chooses a subchannel for each call.
 * Policies are made by a {@link LoadBalancerProvider}, chosen by the service config's
 * {@code loadBalancingConfig}; Tern has {@code pick_first} (the default) and {@code round_robin}.
 *
 * <p>Thread rules: the channel calls every method of a balancer, and every subchannel state
 * listener, in one serialized context (never two at a time, in order); a balancer needs no
 * locks. Pickers are called concurrently from any thread and must not block.
 */
public abstract class LoadBalancer {
  /**
   * A resolution for the balancer.
   *
   * @param endpoints the servers, never empty
   * @param config the policy's parsed config ({@link LoadBalancerProvider#parseConfig}), or null
   * @param healthCheckServiceName the service config's {@code healthCheckConfig.serviceName}
   *     (gRFC A17), or null; policies that check health pass it to their subchannels
   * @param attributes from the resolver
   */
  public record ResolvedAddresses(List<Endpoint> endpoints, Object config,
      String healthCheckServiceName, Attributes attributes) {
    public ResolvedAddresses {
      endpoints = List.copyOf(endpoints);
      Objects.requireNonNull(attributes, "attributes");
    }
  }

  /** Receives a new resolution. Subchannels no longer listed are the balancer's to shut down. */
  public abstract void acceptResolvedAddresses(ResolvedAddresses addresses);

  /** The resolver failed; with no subchannel to use, the balancer reports TRANSIENT_FAILURE. */
  public abstract void handleNameResolutionError(Status error);

  /** The channel leaves IDLE (a call or {@code getState(true)}): connect if idle. */
  public void requestConnection() {}

  /** The channel is shutting down: shut down every subchannel. */
  public abstract void shutdown();

  /** What a balancer may do with its channel. */
  public abstract static class Helper {
    /** A new subchannel, IDLE until {@link Subchannel#requestConnection()}. */
    public abstract Subchannel createSubchannel(CreateSubchannelArgs args);

    /** Publishes the channel's state and the picker calls use from now on. */
    public abstract void updateBalancingState(ConnectivityState state, SubchannelPicker picker);

    /** Asks the resolver for a new resolution (it may rate-limit). */
    public abstract void refreshNameResolution();

    /** Timers for the balancer; their tasks must hand work back with {@link #execute}. */
    public abstract ScheduledExecutorService scheduler();

    /** Runs {@code task} in the balancer's serialized context. */
    public abstract void execute(Runnable task);
  }

  /**
   * What a subchannel connects to.
   *
   * @param addresses tried in order by the subchannel's connection attempts (Tern's subchannels
   *     use the first; pick_first makes one subchannel per address)
   * @param attributes the endpoint's
   * @param healthCheckServiceName non-null to check health (gRFC A17) with
   *     {@code grpc.health.v1.Health/Watch} for that service: the subchannel is READY only while
   *     the server says SERVING
   */
  public record CreateSubchannelArgs(List<SocketAddress> addresses, Attributes attributes,
      String healthCheckServiceName) {
    public CreateSubchannelArgs {
      addresses = List.copyOf(addresses);
      Objects.requireNonNull(attributes, "attributes");
    }
  }

  /** One connection to one server, with its own state and reconnect backoff. */
  public abstract static class Subchannel {
    /** Starts reporting state changes to {@code listener}. Called once. */
    public abstract void start(SubchannelStateListener listener);

    /** From IDLE, starts connecting. */
    public abstract void requestConnection();

    /** Closes the connection once its calls end; no more state reports. */
    public abstract void shutdown();

    /** The addresses it was created with. */
    public abstract List<SocketAddress> addresses();
  }

  /** Hears a subchannel's state changes. */
  public interface SubchannelStateListener {
    /**
     * The subchannel is now in {@code state}; {@code status} says why for TRANSIENT_FAILURE
     * (OK otherwise).
     */
    void onStateChange(ConnectivityState state, Status status);
  }

  /**
   * The method a call is for, given to the picker.
   *
   * @param fullMethodName {@code package.Service/Method}
   * @param callOptions the call's options
   */
  public record PickArgs(String fullMethodName, CallOptions callOptions) {}

  /** Chooses a subchannel for each call; immutable, called from many threads at once. */
  public interface SubchannelPicker {
    PickResult pick(PickArgs args);
  }

  /** A picker's decision. Immutable. */
  public static final class PickResult {
    private static final PickResult NO_RESULT = new PickResult(null, Status.OK);

    private final Subchannel subchannel;
    private final Status status;

    private PickResult(Subchannel subchannel, Status status) {
      this.subchannel = subchannel;
      this.status = status;
    }

    /** Use this subchannel (if it is not READY by then, the call waits for the next picker). */
    public static PickResult withSubchannel(Subchannel subchannel) {
      return new PickResult(Objects.requireNonNull(subchannel, "subchannel"), Status.OK);
    }

    /** Nothing to use yet: the call waits for the next picker. */
    public static PickResult withNoResult() {
      return NO_RESULT;
    }

    /**
     * The channel cannot serve calls now: fails the call with {@code error}, unless it is
     * wait-for-ready, which waits for the next picker.
     */
    public static PickResult withError(Status error) {
      if (error.isOk()) {
        throw new IllegalArgumentException("an error status must not be OK");
      }
      return new PickResult(null, error);
    }

    /** The chosen subchannel, or null. */
    public Subchannel subchannel() {
      return subchannel;
    }

    /** OK, or the error of {@link #withError}. */
    public Status status() {
      return status;
    }

    @Override
    public String toString() {
      return subchannel != null ? "PickResult{" + subchannel + "}"
          : status.isOk() ? "PickResult{no result}" : "PickResult{" + status + "}";
    }
  }
}
