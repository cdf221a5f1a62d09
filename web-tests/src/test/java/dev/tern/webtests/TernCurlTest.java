package dev.tern.webtests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** curl against Tern's port: Connect unary JSON (the README's one-liner), GET, the error body. */
class TernCurlTest {
  @RegisterExtension
  static final ClassFixture<TernWebServer> server = new ClassFixture<>(() -> {
    ExternalTools.curl();
    return TernWebServer.start();
  });

  @Test
  void connectUnaryJsonFromCurl() throws Exception {
    CurlCalls.unaryJson(server.get().url());
  }

  @Test
  void connectGetFromCurl() throws Exception {
    CurlCalls.get(server.get().url());
  }

  @Test
  void connectErrorBodyWithDetailsFromCurl() throws Exception {
    CurlCalls.errorWithDetails(server.get().url());
  }
}
