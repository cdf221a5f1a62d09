package dev.tern.netty.internal;

import dev.tern.ConnectivityState;
import dev.tern.LoadBalancer;
import dev.tern.Status;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A load balancer's subchannel: one {@link ClientConnectionManager} (its connection, state and
 * reconnect backoff) and, with gRFC A17 health checking, a {@link HealthCheck} whose verdict
 * decides whether a connected subchannel reports READY (SERVING, or the server lacks the health
 * service), TRANSIENT_FAILURE (NOT_SERVING) or CONNECTING (no answer yet).
 *
 * <p>Thread rules: the policy's calls and the state reports run in the channel's LB context;
 * {@link #readyTransport} is called by picks on any thread.
 */
final class SubchannelImpl extends LoadBalancer.Subchannel {
  private final List<SocketAddress> addresses;
  private final ClientConnectionManager manager;
  private final Executor sync;
  private final HealthCheck health;

  // Only in the LB context.
  private LoadBalancer.SubchannelStateListener listener;
  private ConnectivityState reported;
  private Status.Code reportedCode;
  private boolean shutdown;

  SubchannelImpl(List<SocketAddress> addresses, ClientConnectionManager manager, Executor sync,
      HealthCheck health) {
    this.addresses = List.copyOf(addresses);
    this.manager = manager;
    this.sync = sync;
    this.health = health;
  }

  @Override
  public void start(LoadBalancer.SubchannelStateListener stateListener) {
    if (listener != null) {
      throw new IllegalStateException("already started");
    }
    listener = stateListener;
    manager.stateListener(() -> sync.execute(this::refresh));
    if (health != null) {
      health.onChange(() -> sync.execute(this::refresh));
    }
    refresh();
  }

  /** Reads the connection's state (and health) and reports it if it changed. */
  private void refresh() {
    if (shutdown || listener == null) {
      return;
    }
    ConnectivityState s = manager.getState(false);
    if (s == ConnectivityState.SHUTDOWN) {
      return;
    }
    Status status = Status.OK;
    if (s == ConnectivityState.TRANSIENT_FAILURE) {
      Status last = manager.lastFailure();
      status = last != null ? last : Status.UNAVAILABLE;
    }
    if (health != null) {
      if (s == ConnectivityState.READY) {
        health.connectionReady();
        switch (health.verdict()) {
          case PENDING -> s = ConnectivityState.CONNECTING;
          case NOT_SERVING -> {
            s = ConnectivityState.TRANSIENT_FAILURE;
            status = Status.UNAVAILABLE.withDescription(
                "Health check of " + addresses.get(0) + " says NOT_SERVING");
          }
          default -> { }
        }
      } else {
        health.connectionLost();
      }
    }
    if (s == reported && status.getCode() == reportedCode) {
      return;
    }
    reported = s;
    reportedCode = status.getCode();
    listener.onStateChange(s, status);
  }

  @Override
  public void requestConnection() {
    manager.getState(true);
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    if (health != null) {
      health.connectionLost();
    }
    manager.shutdown(false);
  }

  @Override
  public List<SocketAddress> addresses() {
    return addresses;
  }

  /** The connection if it can take a stream now, else null. Any thread. */
  ClientHandler readyTransport() {
    return manager.readyTransport();
  }

  @Override
  public String toString() {
    return "Subchannel" + addresses;
  }
}
