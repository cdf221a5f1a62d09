package dev.tern.conformance;

/** Tern to Tern. */
class TernToTernStreamingTest extends StreamingContractTest {
  @Override
  protected int startServer(Gates gates, int window) throws Exception {
    return Peers.ternServer(tern, gates, window);
  }

  @Override
  protected StreamingClient newClient(int port, ClientConfig config) {
    return Peers.ternClient(tern, port, config);
  }
}
