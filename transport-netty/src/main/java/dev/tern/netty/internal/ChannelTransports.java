package dev.tern.netty.internal;

import dev.tern.ConnectivityState;
import java.util.concurrent.TimeUnit;

/**
 * A channel's connections as the channel's public methods see them: one connection
 * ({@link ClientConnectionManager}) or a load-balanced set ({@link LbTransports}). Thread-safe.
 */
public interface ChannelTransports extends TransportSource {
  ConnectivityState getState(boolean requestConnection);

  void notifyWhenStateChanged(ConnectivityState source, Runnable callback);

  void shutdown(boolean now);

  boolean isTerminated();

  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;
}
