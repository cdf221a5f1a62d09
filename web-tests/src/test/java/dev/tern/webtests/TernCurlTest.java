package dev.tern.webtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** curl against Tern's port: Connect unary JSON (the README's one-liner), GET, the error body. */
class TernCurlTest {
  private static TernWebServer server;

  @BeforeAll
  static void startServer() throws Exception {
    ExternalTools.curl();
    server = TernWebServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Disabled(TernNodeClientsTest.WEB_PROTOCOLS_PENDING)
  void connectUnaryJsonFromCurl() throws Exception {
    CurlCalls.unaryJson(server.url());
  }

  @Test
  @Disabled(TernNodeClientsTest.WEB_PROTOCOLS_PENDING)
  void connectGetFromCurl() throws Exception {
    CurlCalls.get(server.url());
  }

  @Test
  @Disabled(TernNodeClientsTest.WEB_PROTOCOLS_PENDING)
  void connectErrorBodyWithDetailsFromCurl() throws Exception {
    CurlCalls.errorWithDetails(server.url());
  }
}
