package dev.tern.conformance;

/** grpc-java to grpc-java on protoc-gen-grpc-java's generated code: the control. */
class GeneratedStubsGrpcToGrpcTest extends GeneratedStubsContractTest {
  @Override
  protected int startServer() throws Exception {
    return grpc.startServer(b -> b.addService(servers.grpc())).getPort();
  }

  @Override
  protected EchoClient newClient(int port) {
    return EchoClient.grpc(grpc.newChannel(port, b -> {}));
  }
}
