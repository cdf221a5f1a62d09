package dev.tern.conformance;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * grpc-java servers and channels on 127.0.0.1 for a test, all shut down by {@link #close}.
 *
 * <pre>{@code
 * GrpcJavaPeer grpc = new GrpcJavaPeer();
 * Server server = grpc.startServer(b -> b.addService(definition));
 * ManagedChannel channel = grpc.newChannel(server.getPort(), b -> {});
 * ...
 * grpc.close();
 * }</pre>
 *
 * <p>Thread-safe.
 */
final class GrpcJavaPeer implements AutoCloseable {
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** Starts a plaintext grpc-java server on a free port of 127.0.0.1. */
  synchronized Server startServer(Consumer<NettyServerBuilder> configure) throws IOException {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(
        new InetSocketAddress("127.0.0.1", 0));
    configure.accept(builder);
    Server server = builder.build().start();
    servers.add(server);
    return server;
  }

  /** A plaintext (h2c prior knowledge) grpc-java channel to 127.0.0.1:{@code port}. */
  synchronized ManagedChannel newChannel(int port, Consumer<NettyChannelBuilder> configure) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext();
    configure.accept(builder);
    ManagedChannel channel = builder.build();
    channels.add(channel);
    return channel;
  }

  @Override
  public synchronized void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (Server s : servers) {
      s.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      awaitQuietly(() -> c.awaitTermination(10, TimeUnit.SECONDS));
    }
    for (Server s : servers) {
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
