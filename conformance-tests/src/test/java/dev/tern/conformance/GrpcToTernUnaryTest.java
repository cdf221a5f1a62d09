package dev.tern.conformance;

import dev.tern.Status;

/** grpc-java 1.85.1 client to Tern server. */
class GrpcToTernUnaryTest extends UnaryContractTest {
  @Override
  protected int startServer(Gates gates, int maxInboundMessageSize) throws Exception {
    return tern.startServer(b -> b.addService(Contract.tern(gates))
        .maxInboundMessageSize(maxInboundMessageSize)).port();
  }

  @Override
  protected UnaryClient newClient(int port, int maxInboundMessageSize) {
    return UnaryClient.grpc(grpc.newChannel(port,
        b -> b.maxInboundMessageSize(maxInboundMessageSize)));
  }

  @Override
  protected Status.Code handlerExceptionCode() {
    return Status.Code.INTERNAL;
  }
}
