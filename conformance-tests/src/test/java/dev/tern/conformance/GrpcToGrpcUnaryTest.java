package dev.tern.conformance;

import dev.tern.Status;

/**
 * grpc-java client to grpc-java server: the control pairing. It runs the same expectations
 * against the reference implementation alone, so a failure here means the expectation is wrong,
 * not Tern.
 */
class GrpcToGrpcUnaryTest extends UnaryContractTest {
  @Override
  protected int startServer(Gates gates, int maxInboundMessageSize) throws Exception {
    return grpc.startServer(b -> b.addService(Contract.grpc(gates))
        .maxInboundMessageSize(maxInboundMessageSize)).getPort();
  }

  @Override
  protected UnaryClient newClient(int port, int maxInboundMessageSize) {
    return UnaryClient.grpc(grpc.newChannel(port,
        b -> b.maxInboundMessageSize(maxInboundMessageSize)));
  }

  @Override
  protected Status.Code handlerExceptionCode() {
    return Status.Code.UNKNOWN;
  }
}
