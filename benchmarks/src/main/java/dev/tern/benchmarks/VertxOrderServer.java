package dev.tern.benchmarks;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * The JSON/REST server on Vert.x Web: a router with {@code GET /orders/:id} answering the order
 * serialized by Jackson, one verticle instance per core (how Vert.x scales across event loops),
 * keep-alive. Thread-safe.
 */
// close() throws Exception, AutoCloseable's own signature: it waits for Vert.x to stop.
@SuppressWarnings("try")
final class VertxOrderServer implements AutoCloseable {
  private final Vertx vertx;
  private final int port;

  VertxOrderServer(int port) throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    this.port = port == 0 ? freePort() : port;
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores)
        .setPreferNativeTransport(true));
    vertx.deployVerticle(() -> new OrderVerticle(this.port),
            new DeploymentOptions().setInstances(cores))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * Instances share one port (Vert.x balances connections over them), so it is chosen up front.
   */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** One HTTP server on its event loop. */
  private static final class OrderVerticle extends VerticleBase {
    private final int port;

    OrderVerticle(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      router.get(Orders.PATH + ":id").handler(ctx -> {
        Orders.OrderJson order;
        try {
          order = Orders.record(Long.parseLong(ctx.pathParam("id")));
        } catch (NumberFormatException e) {
          order = null;
        }
        if (order == null) {
          ctx.response().setStatusCode(404).end();
          return;
        }
        byte[] json;
        try {
          json = Orders.JSON.writeValueAsBytes(order);
        } catch (IOException e) {
          ctx.fail(e);
          return;
        }
        ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(json));
      });
      return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
          .requestHandler(router).listen(port, "127.0.0.1");
    }
  }
}
