package dev.tern.conformance;

import dev.tern.Status;

/** grpc-java to grpc-java: the expectations are grpc-java's own behaviour. */
class GrpcToGrpcStreamingTest extends StreamingContractTest {
  @Override
  protected int startServer(Gates gates, int window) throws Exception {
    return Peers.grpcServer(grpc, gates, window);
  }

  @Override
  protected StreamingClient newClient(int port, ClientConfig config) {
    return Peers.grpcClient(grpc, port, config);
  }

  @Override
  protected Status.Code serverBombCode() {
    return Status.Code.UNKNOWN;
  }

  @Override
  protected Status.Code clientBombCode() {
    return Status.Code.CANCELLED;
  }

  @Override
  protected boolean serverKeepsConnectionAfterBomb() {
    return false;
  }
}
