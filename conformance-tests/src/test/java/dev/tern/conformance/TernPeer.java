package dev.tern.conformance;

import dev.tern.inprocess.InProcessChannel;
import dev.tern.inprocess.InProcessServer;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tern servers and channels on 127.0.0.1 for a test, all shut down by {@link #close}; the
 * counterpart of {@link GrpcJavaPeer}. It also starts in-process servers and channels
 * (tern-inprocess), for the contract suites' in-process pairing: an in-process server is
 * known by a handle that stands where a port would, so the suites' pairings need no other
 * shape.
 *
 * <p>Thread-safe.
 */
final class TernPeer implements AutoCloseable {
  private final List<TernServer> servers = new ArrayList<>();
  private final List<TernChannel> channels = new ArrayList<>();
  private final List<InProcessServer> inProcessServers = new ArrayList<>();
  private final List<InProcessChannel> inProcessChannels = new ArrayList<>();

  /** Starts a Tern server on a free port of 127.0.0.1. */
  synchronized TernServer startServer(Consumer<TernServer.Builder> configure) throws IOException {
    TernServer.Builder builder = TernServer.builder().port(0);
    configure.accept(builder);
    TernServer server = builder.build().start();
    servers.add(server);
    return server;
  }

  /** A Tern channel to 127.0.0.1:{@code port}. */
  synchronized TernChannel newChannel(int port, Consumer<TernChannel.Builder> configure) {
    TernChannel.Builder builder = TernChannel.builder().forAddress("127.0.0.1", port);
    configure.accept(builder);
    TernChannel channel = builder.build();
    channels.add(channel);
    return channel;
  }

  /** Starts an in-process server under a fresh name; returns its handle (its index here). */
  synchronized int startInProcessServer(Consumer<InProcessServer.Builder> configure)
      throws IOException {
    InProcessServer.Builder builder = InProcessServer.builder("contract-" + UUID.randomUUID());
    configure.accept(builder);
    inProcessServers.add(builder.build().start());
    return inProcessServers.size() - 1;
  }

  /** An in-process channel to the server {@link #startInProcessServer} returned {@code handle} for. */
  synchronized InProcessChannel newInProcessChannel(int handle,
      Consumer<InProcessChannel.Builder> configure) {
    InProcessChannel.Builder builder =
        InProcessChannel.builder(inProcessServers.get(handle).name());
    configure.accept(builder);
    InProcessChannel channel = builder.build();
    inProcessChannels.add(channel);
    return channel;
  }

  @Override
  public synchronized void close() {
    for (InProcessChannel c : inProcessChannels) {
      c.shutdownNow();
    }
    for (InProcessServer s : inProcessServers) {
      s.shutdownNow();
    }
    for (InProcessServer s : inProcessServers) {
      awaitQuietly(() -> s.awaitTermination(10, TimeUnit.SECONDS));
    }
    inProcessChannels.clear();
    inProcessServers.clear();
    for (TernChannel c : channels) {
      c.shutdownNow();
    }
    for (TernServer s : servers) {
      s.shutdownNow();
    }
    for (TernChannel c : channels) {
      awaitQuietly(() -> c.awaitTermination(10, TimeUnit.SECONDS));
    }
    for (TernServer s : servers) {
      awaitQuietly(() -> s.awaitTermination(10, TimeUnit.SECONDS));
    }
    channels.clear();
    servers.clear();
  }

  private interface Await {
    boolean await() throws InterruptedException;
  }

  private static void awaitQuietly(Await await) {
    try {
      await.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
