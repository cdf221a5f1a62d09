package dev.tern.conformance;

import dev.tern.Status;

/** Tern client to grpc-java 1.85.1 server. */
class TernToGrpcUnaryTest extends UnaryContractTest {
  @Override
  protected int startServer(Gates gates, int maxInboundMessageSize) throws Exception {
    return grpc.startServer(b -> b.addService(Contract.grpc(gates))
        .maxInboundMessageSize(maxInboundMessageSize)).getPort();
  }

  @Override
  protected UnaryClient newClient(int port, int maxInboundMessageSize) {
    return UnaryClient.tern(tern.newChannel(port,
        b -> b.maxInboundMessageSize(maxInboundMessageSize)));
  }

  @Override
  protected Status.Code handlerExceptionCode() {
    return Status.Code.UNKNOWN;
  }
}
