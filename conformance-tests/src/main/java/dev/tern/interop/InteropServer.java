package dev.tern.interop;

import dev.tern.netty.TernServer;
import dev.tern.services.HealthStatusManager;
import dev.tern.services.MetricRecorder;
import dev.tern.services.OrcaOobService;
import dev.tern.services.ProtoReflectionService;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tern's interop server, with grpc-java's flags: {@code --port=PORT [--use_tls=true]}. Serves
 * {@code grpc.testing.TestService} (recording the ORCA metrics its requests carry),
 * {@code grpc.health.v1.Health}, server reflection (v1 and v1alpha, for grpcurl and the like) and
 * ORCA's {@code xds.service.orca.v3.OpenRcaService} on 127.0.0.1, prints {@code Server started on port PORT}
 * once it accepts connections, and drains on SIGTERM ({@link #drain}). Not thread-safe (a main
 * class).
 */
public final class InteropServer {
  /** Requests up to 16 MiB are accepted, as grpc-java's interop server does. */
  public static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

  /**
   * How long calls in flight may take to finish after SIGTERM before they are cancelled: well
   * inside Kubernetes' default 30 s terminationGracePeriodSeconds.
   */
  public static final long DRAIN_GRACE_SECONDS = 15;

  /**
   * The shortest interval between out-of-band ORCA reports: 1 s, the interval grpc's interop
   * clients ask for in orca_oob (a production server keeps OrcaOobService's 30 s default).
   */
  public static final Duration ORCA_MIN_REPORT_INTERVAL = Duration.ofSeconds(1);

  private InteropServer() {}

  /** Starts the interop service on 127.0.0.1:{@code port} (0: any free port); TLS if given. */
  public static TernServer start(int port, SslContext tls) throws IOException {
    return start(port, tls, new HealthStatusManager());
  }

  /** {@link #start(int, SslContext)}, reporting health through {@code health}. */
  public static TernServer start(int port, SslContext tls, HealthStatusManager health)
      throws IOException {
    ProtoReflectionService reflection = ProtoReflectionService.create();
    // The load FullDuplexCall's orca_oob_report sets, reported by the OpenRcaService.
    MetricRecorder orcaLoad = MetricRecorder.create();
    TernServer.Builder b = TernServer.builder()
        .port(port)
        .maxInboundMessageSize(MAX_MESSAGE_SIZE)
        // gzip that tells the service which requests arrived compressed (expect_compressed).
        .codecRegistry(MessageCompression.recordingRegistry())
        .addService(TestServiceImpl.bindService(orcaLoad))
        .addService(OrcaOobService.create(orcaLoad, ORCA_MIN_REPORT_INTERVAL).getService())
        .addService(health.getHealthService())
        .addService(reflection.v1())
        .addService(reflection.v1alpha())
        // gRPC-Web and Connect from browser pages on any origin (docs/web.md).
        .corsAllowedOrigins("*");
    if (tls != null) {
      b.sslContext(tls);
    }
    TernServer server = b.build();
    reflection.bindTo(server::getServices);
    return server.start();
  }

  /**
   * Stops the way a restart should, losing no call a client can see: health turns NOT_SERVING
   * (balancers and probes move away), {@code shutdown()} sends GOAWAY and lets the calls in
   * flight finish, and only those still running after {@code graceSeconds} are cancelled with
   * {@code shutdownNow()}. Blocks until the server has terminated or gave up waiting.
   */
  public static void drain(TernServer server, HealthStatusManager health, long graceSeconds)
      throws InterruptedException {
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(graceSeconds, TimeUnit.SECONDS)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
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
    HealthStatusManager health = new HealthStatusManager();
    TernServer server = start(port, useTls ? InteropTls.server(ClientAuth.NONE) : null, health);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM (a restart, a Kubernetes pod stopping): drain; clients retry elsewhere.
      try {
        drain(server, health, DRAIN_GRACE_SECONDS);
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
