package dev.tern.conformance;

import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tern servers and channels on 127.0.0.1 for a test, all shut down by {@link #close}; the
 * counterpart of {@link GrpcJavaPeer}.
 *
 * <p>Thread-safe.
 */
final class TernPeer implements AutoCloseable {
  private final List<TernServer> servers = new ArrayList<>();
  private final List<TernChannel> channels = new ArrayList<>();

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

  @Override
  public synchronized void close() {
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
