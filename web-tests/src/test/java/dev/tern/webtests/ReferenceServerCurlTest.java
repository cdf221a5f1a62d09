package dev.tern.webtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The control for curl: the Connect calls TernCurlTest makes, against connect-node's server. */
class ReferenceServerCurlTest {
  private static ReferenceServer server;

  @BeforeAll
  static void startServer() throws Exception {
    ExternalTools.curl();
    server = ReferenceServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void connectUnaryJsonFromCurl() throws Exception {
    CurlCalls.unaryJson(server.http1Url());
  }

  @Test
  void connectGetFromCurl() throws Exception {
    CurlCalls.get(server.http1Url());
  }

  @Test
  void connectErrorBodyWithDetailsFromCurl() throws Exception {
    CurlCalls.errorWithDetails(server.http1Url());
  }
}
