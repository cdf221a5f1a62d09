package dev.tern.webtests;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The control: connect-node's clients against connect-node's own server pass every check, which
 * proves the client script and the expectations apart from Tern (TernNodeClientsTest runs the
 * same script against Tern).
 */
class ReferenceServerNodeClientsTest {
  @RegisterExtension
  static final ClassFixture<ReferenceServer> server = new ClassFixture<>(ReferenceServer::start);

  @ParameterizedTest
  @EnumSource(NodeClientMode.class)
  void connectNodePassesEveryCheckAgainstTheReferenceServer(NodeClientMode mode) throws Exception {
    mode.runAndAssert(mode.http2() ? server.get().http2Url() : server.get().http1Url());
  }
}
