package dev.tern.conformance;

/**
 * Tern client on tern-codegen's stubs to a grpc-java 1.85.1 server on protoc-gen-grpc-java's
 * generated base class.
 */
class GeneratedStubsTernToGrpcTest extends GeneratedStubsContractTest {
  @Override
  protected int startServer() throws Exception {
    return grpc.startServer(b -> b.addService(servers.grpc())).getPort();
  }

  @Override
  protected EchoClient newClient(int port) {
    return EchoClient.tern(tern.newChannel(port, b -> {}));
  }
}
