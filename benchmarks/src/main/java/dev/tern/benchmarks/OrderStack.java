package dev.tern.benchmarks;

import dev.tern.benchmarks.orders.GetOrderRequest;
import dev.tern.benchmarks.orders.Order;
import dev.tern.benchmarks.orders.OrderServiceTern;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One server of the order lookup and its idiomatic client, connected over 127.0.0.1: Tern (with
 * its default executor, or {@code tern-direct}: callbacks on the event loops), Vert.x Web with
 * Vert.x's {@code WebClient} (keep-alive, a pool of up to 64 connections), or the lean Netty
 * HTTP/1.1 server with the JDK's {@code HttpClient}. Every client parses each response into an
 * object (a protobuf message or the Jackson record). Thread-safe.
 */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
abstract class OrderStack implements AutoCloseable {
  /** Requests in flight the REST clients must be able to keep open at once. */
  static final int MAX_IN_FLIGHT = 64;

  /** The stacks by name: tern, tern-direct, vertx, netty. */
  static OrderStack create(String impl) throws Exception {
    switch (impl) {
      case "tern":
        return new Tern(false);
      case "tern-direct":
        return new Tern(true);
      case "vertx":
        return new VertxStack();
      case "netty":
        return new NettyJdkStack();
      default:
        throw new IllegalArgumentException("unknown order stack " + impl);
    }
  }

  /** A server started alone and how to stop it. */
  record Running(int port, AutoCloseable stop) {}

  /** Starts the server of {@code impl} alone, for a client in another process. */
  static Running server(String impl, int port) throws Exception {
    switch (impl) {
      case "tern":
      case "tern-direct": {
        TernServer server = ternServer(port, impl.equals("tern-direct"));
        return new Running(server.port(), () -> {
          server.shutdown();
          if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow();
          }
        });
      }
      case "vertx": {
        VertxOrderServer server = new VertxOrderServer(port);
        return new Running(server.port(), server);
      }
      case "netty": {
        NettyHttp1OrderServer server = new NettyHttp1OrderServer(port);
        return new Running(server.port(), server);
      }
      default:
        throw new IllegalArgumentException("unknown order server " + impl);
    }
  }

  private static TernServer ternServer(int port, boolean direct) throws IOException {
    TernServer.Builder b = TernServer.builder().port(port)
        .addService(new TernOrderService().bindService());
    if (direct) {
      b.directExecutor();
    }
    return b.build().start();
  }

  /** Looks order {@code id} up and waits for it on the calling thread. */
  abstract void getBlocking(long id) throws Exception;

  /** Starts a lookup; {@code done} runs when the order has arrived and been parsed. */
  abstract void getAsync(long id, Harness.Done done);

  static void check(long id, long got) {
    if (got != id) {
      throw new IllegalStateException(String.format(Locale.ROOT, "asked for order %d, got %d",
          id, got));
    }
  }

  /** Tern's client and server: protobuf over HTTP/2, one connection. */
  private static final class Tern extends OrderStack {
    private final TernServer server;
    private final TernChannel channel;
    private final OrderServiceTern.OrderServiceBlockingStub blocking;
    private final OrderServiceTern.OrderServiceStub async;

    Tern(boolean direct) throws IOException {
      server = ternServer(0, direct);
      TernChannel.Builder cb = TernChannel.builder();
      if (direct) {
        cb.directExecutor();
      }
      channel = cb.forAddress("127.0.0.1", server.port()).build();
      blocking = OrderServiceTern.newBlockingStub(channel);
      async = OrderServiceTern.newStub(channel);
    }

    @Override
    void getBlocking(long id) {
      check(id, blocking.getOrder(GetOrderRequest.newBuilder().setId(id).build()).getId());
    }

    @Override
    void getAsync(long id, Harness.Done done) {
      async.getOrder(GetOrderRequest.newBuilder().setId(id).build(), new StreamObserver<Order>() {
        private boolean ok;

        @Override
        public void onNext(Order value) {
          ok = value.getId() == id;
        }

        @Override
        public void onError(Throwable t) {
          done.done(false);
        }

        @Override
        public void onCompleted() {
          done.done(ok);
        }
      });
    }

    @Override
    public void close() throws Exception {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Vert.x Web's server and Vert.x's WebClient: JSON over HTTP/1.1 with keep-alive. */
  private static final class VertxStack extends OrderStack {
    private final VertxOrderServer server;
    private final Vertx clientVertx;
    private final WebClient client;

    VertxStack() throws Exception {
      server = new VertxOrderServer(0);
      clientVertx = Vertx.vertx(new VertxOptions()
          .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
          .setPreferNativeTransport(true));
      client = WebClient.create(clientVertx,
          new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true)
              .setDefaultHost("127.0.0.1").setDefaultPort(server.port()),
          new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
    }

    @Override
    void getBlocking(long id) throws Exception {
      HttpResponse<Buffer> response = client.get(Orders.PATH + id).send()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      check(id, parse(response));
    }

    @Override
    void getAsync(long id, Harness.Done done) {
      client.get(Orders.PATH + id).send().onComplete(ar -> {
        boolean ok;
        try {
          ok = ar.succeeded() && parse(ar.result()) == id;
        } catch (IOException e) {
          ok = false;
        }
        done.done(ok);
      });
    }

    private static long parse(HttpResponse<Buffer> response) throws IOException {
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      return Orders.JSON.readValue(response.body().getBytes(), Orders.OrderJson.class).id();
    }

    @Override
    public void close() throws Exception {
      client.close();
      clientVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      server.close();
    }
  }

  /** The lean Netty HTTP/1.1 server and the JDK's HttpClient (HTTP/1.1, keep-alive). */
  private static final class NettyJdkStack extends OrderStack {
    private final NettyHttp1OrderServer server;
    private final HttpClient client;
    private final String base;

    NettyJdkStack() throws InterruptedException {
      server = new NettyHttp1OrderServer(0);
      client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      base = "http://127.0.0.1:" + server.port() + Orders.PATH;
    }

    private HttpRequest request(long id) {
      return HttpRequest.newBuilder(URI.create(base + id)).GET().build();
    }

    @Override
    void getBlocking(long id) throws Exception {
      java.net.http.HttpResponse<byte[]> response =
          client.send(request(id), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      check(id, parse(response));
    }

    @Override
    void getAsync(long id, Harness.Done done) {
      client.sendAsync(request(id), java.net.http.HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((response, failure) -> {
            boolean ok;
            try {
              ok = failure == null && parse(response) == id;
            } catch (IOException e) {
              ok = false;
            }
            done.done(ok);
          });
    }

    private static long parse(java.net.http.HttpResponse<byte[]> response) throws IOException {
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      return Orders.JSON.readValue(response.body(), Orders.OrderJson.class).id();
    }

    @Override
    public void close() throws Exception {
      // The JDK 17 HttpClient has no close(): its connections go when it is collected.
      server.close();
    }
  }
}
