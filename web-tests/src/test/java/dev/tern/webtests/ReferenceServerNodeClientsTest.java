package dev.tern.webtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The control: connect-node's clients against connect-node's own server pass every check, which
 * proves the client script and the expectations apart from Tern (TernNodeClientsTest runs the
 * same script against Tern).
 */
class ReferenceServerNodeClientsTest {
  private static ReferenceServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = ReferenceServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @EnumSource(NodeClientMode.class)
  void connectNodePassesEveryCheckAgainstTheReferenceServer(NodeClientMode mode) throws Exception {
    mode.runAndAssert(mode.http2() ? server.http2Url() : server.http1Url());
  }
}
