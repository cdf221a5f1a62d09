package dev.tern.webtests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The control for curl: the Connect calls TernCurlTest makes, against connect-node's server. */
class ReferenceServerCurlTest {
  @RegisterExtension
  static final ClassFixture<ReferenceServer> server = new ClassFixture<>(() -> {
    ExternalTools.curl();
    return ReferenceServer.start();
  });

  @Test
  void connectUnaryJsonFromCurl() throws Exception {
    CurlCalls.unaryJson(server.get().http1Url());
  }

  @Test
  void connectGetFromCurl() throws Exception {
    CurlCalls.get(server.get().http1Url());
  }

  @Test
  void connectErrorBodyWithDetailsFromCurl() throws Exception {
    CurlCalls.errorWithDetails(server.get().http1Url());
  }
}
