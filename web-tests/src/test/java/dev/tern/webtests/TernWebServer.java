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

  /**
   * Starts the server; browsers on {@code corsOrigins} may call it, and read and send the
   * {@link EchoHeaderInterceptor#ECHO} header.
   */
  static TernWebServer start(String... corsOrigins) throws Exception {
    WebTestServiceImpl service = new WebTestServiceImpl();
    return new TernWebServer(service, TernServer.builder()
        .port(0)
        .corsAllowedOrigins(corsOrigins)
        .corsAllowedHeaders(EchoHeaderInterceptor.ECHO.name())
        .corsExposedHeaders(EchoHeaderInterceptor.ECHO.name())
        .addService(ServerInterceptors.intercept(service.bindService(),
            new EchoHeaderInterceptor()))
        .build()
        .start());
  }

  /**
   * Asserts that the server saw the suite's deadline and cancellation checks end their calls:
   * the deadline and the client's cancellation reached the server, not only the client.
   */
  void assertDeadlineAndCancellationEndedTheCalls() throws InterruptedException {
    service.assertCallEnded("slow");
    service.assertCallEnded("cancelled");
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
