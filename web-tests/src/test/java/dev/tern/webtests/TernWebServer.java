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
  private final WebTestServiceImpl service;
  private final TernServer server;

  private TernWebServer(WebTestServiceImpl service, TernServer server) {
    this.service = service;
    this.server = server;
  }

  static TernWebServer start() throws Exception {
    WebTestServiceImpl service = new WebTestServiceImpl();
    return new TernWebServer(service, TernServer.builder()
        .port(0)
        .addService(ServerInterceptors.intercept(service.bindService(),
            new EchoHeaderInterceptor()))
        .build()
        .start());
  }

  /**
   * Asserts that the server saw the suite's deadline check end its call: the deadline reached the
   * server and ended the call there too, not only in the client.
   */
  void assertDeadlineEndedTheCall() throws InterruptedException {
    service.awaitHangEnded("slow");
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
