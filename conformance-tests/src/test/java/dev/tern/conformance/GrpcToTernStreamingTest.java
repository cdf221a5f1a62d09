package dev.tern.conformance;

import dev.tern.Status;

/** grpc-java 1.85.1 client to Tern server. */
class GrpcToTernStreamingTest extends StreamingContractTest {
  @Override
  protected int startServer(Gates gates, int window) throws Exception {
    return Peers.ternServer(tern, gates, window);
  }

  @Override
  protected StreamingClient newClient(int port, ClientConfig config) {
    return Peers.grpcClient(grpc, port, config);
  }

  @Override
  protected Status.Code clientBombCode() {
    return Status.Code.CANCELLED;
  }
}
