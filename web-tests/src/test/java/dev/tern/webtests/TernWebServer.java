package dev.tern.webtests;

import dev.tern.ServerInterceptors;
import dev.tern.netty.TernServer;
import java.util.concurrent.TimeUnit;

/**
 * The server under test: a TernServer on 127.0.0.1 and an ephemeral port serving
 * {@link WebTestServiceImpl} behind {@link EchoHeaderInterceptor}. Started and closed by one test
 * class.
 */
final class TernWebServer implements AutoCloseable {
  private final TernServer server;

  private TernWebServer(TernServer server) {
    this.server = server;
  }

  static TernWebServer start() throws Exception {
    return new TernWebServer(TernServer.builder()
        .port(0)
        .addService(ServerInterceptors.intercept(new WebTestServiceImpl().bindService(),
            new EchoHeaderInterceptor()))
        .build()
        .start());
  }

  /** http://127.0.0.1:PORT: one port for every protocol and HTTP version. */
  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    if (!server.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the Tern server did not terminate");
    }
  }
}
