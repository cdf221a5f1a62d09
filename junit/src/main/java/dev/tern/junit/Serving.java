package dev.tern.junit;

import dev.tern.Channel;
import dev.tern.ServerServiceDefinition;
import dev.tern.inprocess.InProcessChannel;
import dev.tern.inprocess.InProcessServer;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One test's server and the channel to it, started together and stopped together. Thread-safe:
 * the servers and channels are.
 */
sealed interface Serving {
  /** The channel to the server. */
  Channel channel();

  /**
   * Cancels the calls still open, lets the server's calls drain for up to {@code grace}, then
   * stops everything; returns whether the server's calls had all ended by themselves.
   */
  boolean stop(Duration grace) throws InterruptedException;

  /** Waits for a server's termination. */
  interface Await {
    boolean await(long nanos) throws InterruptedException;
  }

  /**
   * Shuts a server down, waits up to {@code grace} for its calls to drain, and if they did not,
   * shuts it down now and waits again; returns whether they drained by themselves.
   */
  private static boolean drain(Runnable shutdown, Runnable shutdownNow, Await terminated,
      Duration grace) throws InterruptedException {
    shutdown.run();
    if (terminated.await(grace.toNanos())) {
      return true;
    }
    shutdownNow.run();
    terminated.await(grace.toNanos());
    return false;
  }

  /** An {@link InProcessServer} under a fresh name and an {@link InProcessChannel} to it. */
  record InProcess(InProcessServer server, InProcessChannel channel) implements Serving {
    static InProcess start(List<ServerServiceDefinition> services, boolean serializeMessages)
        throws IOException {
      InProcessServer.Builder b = InProcessServer.builder("tern-junit-" + UUID.randomUUID());
      services.forEach(b::addService);
      InProcessServer server = b.build().start();
      return new InProcess(server, InProcessChannel.builder(server.name())
          .serializeMessages(serializeMessages).build());
    }

    @Override
    public boolean stop(Duration grace) throws InterruptedException {
      channel.shutdownNow();
      return drain(server::shutdown, server::shutdownNow,
          nanos -> server.awaitTermination(nanos, TimeUnit.NANOSECONDS), grace);
    }
  }

  /** A {@link TernServer} on a free port of 127.0.0.1 and a {@link TernChannel} to it. */
  record Loopback(TernServer server, TernChannel channel) implements Serving {
    static Loopback start(List<ServerServiceDefinition> services) throws IOException {
      TernServer.Builder b = TernServer.builder().port(0);
      services.forEach(b::addService);
      TernServer server = b.build().start();
      return new Loopback(server,
          TernChannel.builder().forAddress("127.0.0.1", server.port()).build());
    }

    @Override
    public boolean stop(Duration grace) throws InterruptedException {
      channel.shutdownNow();
      boolean drained = drain(server::shutdown, server::shutdownNow,
          nanos -> server.awaitTermination(nanos, TimeUnit.NANOSECONDS), grace);
      channel.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS);
      return drained;
    }
  }
}
