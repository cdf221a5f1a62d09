package dev.tern.conformance;

import dev.tern.Status;

import dev.tern.CodecRegistry;

/** Tern client to grpc-java 1.85.1 server. */
class TernToGrpcStreamingTest extends StreamingContractTest {
  @Override
  protected int startServer(Gates gates, int window) throws Exception {
    return Peers.grpcServer(grpc, gates, window);
  }

  @Override
  protected StreamingClient newClient(int port, ClientConfig config) {
    return Peers.ternClient(tern, port, config);
  }

  @Override
  protected Status.Code serverBombCode() {
    return Status.Code.UNKNOWN;
  }

  @Override
  protected boolean serverKeepsConnectionAfterBomb() {
    return false;
  }
}
