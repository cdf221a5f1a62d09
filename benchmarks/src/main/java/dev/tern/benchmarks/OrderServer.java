package dev.tern.benchmarks;

import java.util.concurrent.CountDownLatch;

/**
 * The order-lookup server alone, for outside load ({@link RestOutside}): Tern (gRPC), Vert.x Web
 * or the Netty HTTP/1.1 handler (JSON/REST) on 127.0.0.1. Prints {@code Server started on port
 * PORT} when ready and stops on SIGTERM.
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.OrderServer --impl=tern|tern-direct|vertx|netty
 *     [--port=0]</pre>
 */
public final class OrderServer {
  private OrderServer() {}

  public static void main(String[] args) throws Exception {
    String impl = null;
    int port = 0;
    for (String arg : args) {
      if (arg.startsWith("--impl=")) {
        impl = arg.substring("--impl=".length());
      } else if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    if (impl == null) {
      throw new IllegalArgumentException("--impl=tern|tern-direct|vertx|netty is required");
    }
    OrderStack.Running server = OrderStack.server(impl, port);
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM runs shutdown hooks: stop gracefully, then let the JVM exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop().close();
      } catch (Exception e) {
        e.printStackTrace();
      } finally {
        stopped.countDown();
      }
    }, "order-server-stop"));
    System.out.println("Server started on port " + server.port());
    System.out.flush();
    stopped.await();
  }
}
