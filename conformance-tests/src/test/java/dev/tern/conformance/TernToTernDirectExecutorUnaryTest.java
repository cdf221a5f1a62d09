package dev.tern.conformance;

import dev.tern.Status;

/**
 * Tern client to Tern server with both running application callbacks on the event loop
 * ({@code directExecutor()}), the low-latency mode.
 */
class TernToTernDirectExecutorUnaryTest extends UnaryContractTest {
  @Override
  protected int startServer(Gates gates, int maxInboundMessageSize) throws Exception {
    return tern.startServer(b -> b.addService(Contract.tern(gates)).directExecutor()
        .maxInboundMessageSize(maxInboundMessageSize)).port();
  }

  @Override
  protected UnaryClient newClient(int port, int maxInboundMessageSize) {
    return UnaryClient.tern(tern.newChannel(port,
        b -> b.directExecutor().maxInboundMessageSize(maxInboundMessageSize)));
  }

  @Override
  protected Status.Code handlerExceptionCode() {
    return Status.Code.INTERNAL;
  }
}
