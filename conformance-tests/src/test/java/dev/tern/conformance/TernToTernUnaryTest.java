package dev.tern.conformance;

import dev.tern.Status;

/** Tern client to Tern server. */
class TernToTernUnaryTest extends UnaryContractTest {
  @Override
  protected int startServer(Gates gates, int maxInboundMessageSize) throws Exception {
    return tern.startServer(b -> b.addService(Contract.tern(gates))
        .maxInboundMessageSize(maxInboundMessageSize)).port();
  }

  @Override
  protected UnaryClient newClient(int port, int maxInboundMessageSize) {
    return UnaryClient.tern(tern.newChannel(port,
        b -> b.maxInboundMessageSize(maxInboundMessageSize)));
  }

  @Override
  protected Status.Code handlerExceptionCode() {
    return Status.Code.INTERNAL;
  }
}
