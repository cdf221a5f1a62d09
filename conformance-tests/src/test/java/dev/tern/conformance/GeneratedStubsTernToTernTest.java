package dev.tern.conformance;

/** Tern to Tern, both on tern-codegen's generated code. */
class GeneratedStubsTernToTernTest extends GeneratedStubsContractTest {
  @Override
  protected int startServer() throws Exception {
    return tern.startServer(b -> b.addService(servers.tern().bindService())).port();
  }

  @Override
  protected EchoClient newClient(int port) {
    return EchoClient.tern(tern.newChannel(port, b -> {}));
  }
}
