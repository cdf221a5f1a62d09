package dev.tern.webtests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * connect-node against one Tern port: the client script ReferenceServerNodeClientsTest proves
 * against connect-node's own server, in each transport, message format and HTTP version (gRPC,
 * gRPC-Web and Connect; HTTP/1.1 and HTTP/2), on the same port.
 */
class TernNodeClientsTest {
  @RegisterExtension
  static final ClassFixture<TernWebServer> server = new ClassFixture<>(() -> {
    ExternalTools.requireNodeClients();
    return TernWebServer.start();
  });

  @ParameterizedTest
  @EnumSource(value = NodeClientMode.class, mode = EnumSource.Mode.EXCLUDE,
      names = "GRPC_JSON_HTTP2")
  void connectNodePassesEveryCheckAgainstTern(NodeClientMode mode) throws Exception {
    mode.runAndAssert(server.get().url());
    server.get().assertDeadlineAndCancellationEndedTheCalls();
  }

  @Test
  void grpcWithJsonMessagesPassesEveryCheckAgainstTern() throws Exception {
    NodeClientMode.GRPC_JSON_HTTP2.runAndAssert(server.get().url());
    server.get().assertDeadlineAndCancellationEndedTheCalls();
  }
}
