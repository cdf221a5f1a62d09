package dev.tern.conformance;

/**
 * grpc-java 1.85.1 client on protoc-gen-grpc-java's stubs to a Tern server on tern-codegen's
 * generated base class.
 */
class GeneratedStubsGrpcToTernTest extends GeneratedStubsContractTest {
  @Override
  protected int startServer() throws Exception {
    return tern.startServer(b -> b.addService(servers.tern().bindService())).port();
  }

  @Override
  protected EchoClient newClient(int port) {
    return EchoClient.grpc(grpc.newChannel(port, b -> {}));
  }
}
