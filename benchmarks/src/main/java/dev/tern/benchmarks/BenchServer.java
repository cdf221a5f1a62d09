package dev.tern.benchmarks;

import dev.tern.netty.TernServer;
import dev.tern.netty.internal.EventLoops;
import io.grpc.Server;
import io.netty.channel.EventLoopGroup;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@code grpc.testing.BenchmarkService} server on 127.0.0.1 for outside load generators
 * (what {@code benchmarks/bench-server.sh} runs): Tern by default; {@code --impl=grpc} serves the
 * same service with grpc-java and {@code --impl=raw} runs the raw HTTP/2 echo, for comparisons.
 * Prints {@code Server started on port PORT} when ready and drains on SIGTERM (Tern: GOAWAY, calls
 * in flight finish, cancelled only after {@value #DRAIN_GRACE_SECONDS} s).
 *
 * <pre>bench-server.sh --port=PORT [--executor=direct|pool] [--impl=tern|grpc|raw]</pre>
 */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
public final class BenchServer implements AutoCloseable {
  /**
   * How long calls in flight may take to finish after SIGTERM before they are cancelled: well
   * inside Kubernetes' default 30 s terminationGracePeriodSeconds.
   */
  static final long DRAIN_GRACE_SECONDS = 15;

  private final AutoCloseable stop;
  private final int port;

  private BenchServer(AutoCloseable stop, int port) {
    this.stop = stop;
    this.port = port;
  }

  /** Starts a server; {@code port} 0 picks a free one. */
  public static BenchServer start(Harness.Impl impl, int port, boolean direct) throws Exception {
    switch (impl) {
      case TERN: {
        TernServer.Builder b = TernServer.builder().port(port)
            .addService(new TernBenchmarkService().bindService());
        if (direct) {
          b.directExecutor();
        }
        TernServer server = b.build().start();
        return new BenchServer(() -> {
          // Drain: GOAWAY, calls in flight finish; cancelled only after the grace period.
          server.shutdown();
          if (!server.awaitTermination(DRAIN_GRACE_SECONDS, TimeUnit.SECONDS)) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
          }
        }, server.port());
      }
      case GRPC: {
        EventLoopGroup boss = EventLoops.newGroup(1, "grpc-server-boss");
        EventLoopGroup workers = EventLoops.newGroup(
            Runtime.getRuntime().availableProcessors(), "grpc-server-worker");
        Server server = GrpcHarness.newServer(port, direct, boss, workers).start();
        return new BenchServer(() -> {
          server.shutdown();
          if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow();
          }
          workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
          boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }, server.getPort());
      }
      case RAW: {
        EventLoopGroup boss = EventLoops.newGroup(1, "raw-server-boss");
        EventLoopGroup workers = EventLoops.newGroup(
            Runtime.getRuntime().availableProcessors(), "raw-server-worker");
        RawHttp2.Server server = new RawHttp2.Server(port, boss, workers,
            RawHttp2.grpcFrame(Payloads.response(1024)));
        return new BenchServer(() -> {
          server.close();
          workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
          boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }, server.port());
      }
      default:
        throw new IllegalArgumentException(impl.toString());
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    stop.close();
  }

  public static void main(String[] args) throws Exception {
    int port = -1;
    boolean direct = false;
    Harness.Impl impl = Harness.Impl.TERN;
    for (String arg : args) {
      if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else if (arg.startsWith("--executor=")) {
        String e = arg.substring("--executor=".length());
        if (!e.equals("direct") && !e.equals("pool")) {
          usage("--executor must be direct or pool");
        }
        direct = e.equals("direct");
      } else if (arg.startsWith("--impl=")) {
        impl = Harness.Impl.valueOf(arg.substring("--impl=".length()).toUpperCase(Locale.ROOT));
      } else {
        usage("unknown argument " + arg);
      }
    }
    if (port < 0) {
      usage("--port=PORT is required");
    }
    BenchServer server = start(impl, port, direct);
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM runs shutdown hooks: stop gracefully, then let the JVM exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        e.printStackTrace();
      } finally {
        stopped.countDown();
      }
    }, "bench-server-stop"));
    System.out.println("Server started on port " + server.port());
    System.out.flush();
    stopped.await();
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: bench-server.sh --port=PORT [--executor=direct|pool] [--impl=tern|grpc|raw]");
    System.exit(2);
  }
}
