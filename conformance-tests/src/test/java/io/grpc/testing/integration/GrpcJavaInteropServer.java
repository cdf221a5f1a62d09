package io.grpc.testing.integration;

/**
 * grpc-java 1.79.0's own interop server ({@link TestServiceServer}), started in this JVM. Lives
 * in grpc-java's package because its start/stop/port methods are package-private. Not
 * thread-safe.
 */
public final class GrpcJavaInteropServer implements AutoCloseable {
  private final TestServiceServer server = new TestServiceServer();

  /** Starts on a free port, on all local addresses as grpc-java does; TLS with server1.pem. */
  public GrpcJavaInteropServer(boolean useTls) throws Exception {
    server.parseArgs(new String[] {"--port=0", "--use_tls=" + useTls});
    server.start();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
