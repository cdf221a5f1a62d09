package dev.tern.interop;

import dev.tern.netty.TernServer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Tern's interop server, with grpc-java's flags: {@code --port=PORT [--use_tls=true]}. Serves
 * {@code grpc.testing.TestService} on 127.0.0.1, prints {@code Server started on port PORT} once
 * it accepts connections, and shuts down on SIGTERM. Not thread-safe (a main class).
 */
public final class InteropServer {
  /** Requests up to 16 MiB are accepted, as grpc-java's interop server does. */
  public static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

  private InteropServer() {}

  /** Starts the interop service on 127.0.0.1:{@code port} (0: any free port); TLS if given. */
  public static TernServer start(int port, SslContext tls) throws IOException {
    TernServer.Builder b = TernServer.builder()
        .port(port)
        .maxInboundMessageSize(MAX_MESSAGE_SIZE)
        // gzip that tells the service which requests arrived compressed (expect_compressed).
        .codecRegistry(MessageCompression.recordingRegistry())
        .addService(TestServiceImpl.bindService());
    if (tls != null) {
      b.sslContext(tls);
    }
    return b.build().start();
  }

  public static void main(String[] args) throws Exception {
    int port = -1;
    boolean useTls = false;
    for (String arg : args) {
      String[] kv = Flags.split(arg);
      switch (kv[0]) {
        case "port":
          port = Flags.parseInt(kv);
          break;
        case "use_tls":
          useTls = Flags.parseBoolean(kv);
          break;
        default:
          Flags.usage("Unknown flag --" + kv[0],
              "usage: interop-server.sh --port=PORT [--use_tls=true|false]");
      }
    }
    if (port < 0) {
      Flags.usage("--port is required", "usage: interop-server.sh --port=PORT [--use_tls=true]");
    }
    TernServer server = start(port, useTls ? InteropTls.server(ClientAuth.NONE) : null);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM: refuse new calls and stop at once; the calls of an interop client are short.
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "interop-server-shutdown"));
    if (useTls) {
      // On stderr: stdout carries only the readiness line tools wait for, as grpc-java's does.
      System.err.println("Using grpc-java's test certificate: clients need "
          + "--use_test_ca=true --server_host_override=" + InteropTls.SERVER_HOST_OVERRIDE);
    }
    System.out.println("Server started on port " + server.port());
    System.out.flush();
    server.awaitTermination();
  }
}
