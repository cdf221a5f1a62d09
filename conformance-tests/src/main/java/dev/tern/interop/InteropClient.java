package dev.tern.interop;

import dev.tern.netty.TernChannel;
import io.netty.handler.ssl.SslContext;
import java.util.function.Supplier;

/**
 * Tern's interop client, with grpc-java's flags: {@code --server_host=HOST --server_port=PORT
 * --test_case=NAME [--use_tls=true --use_test_ca=true --server_host_override=NAME]} and the
 * {@code --soak_*} settings. Exits 0 if the case passed, 1 with a one-line reason if it failed,
 * 2 on a usage error. Not thread-safe (a main class).
 */
public final class InteropClient {
  private String host = "127.0.0.1";
  private int port = -1;
  private String hostOverride;
  private String testCase;
  private boolean useTls;
  private boolean useTestCa;
  private boolean useClientCertificate;
  private final InteropTestCases.Options options = new InteropTestCases.Options();

  private InteropClient() {}

  public static void main(String[] args) {
    InteropClient client = new InteropClient();
    client.parse(args);
    int status = client.run();
    System.exit(status);
  }

  private void parse(String[] args) {
    for (String arg : args) {
      String[] kv = Flags.split(arg);
      switch (kv[0]) {
        case "server_host" -> host = kv[1];
        case "server_port" -> port = Flags.parseInt(kv);
        case "server_host_override" -> hostOverride = kv[1];
        case "test_case" -> testCase = kv[1];
        case "use_tls" -> useTls = Flags.parseBoolean(kv);
        case "use_test_ca" -> useTestCa = Flags.parseBoolean(kv);
        // Not a grpc-java flag: presents the test client certificate (mutual TLS).
        case "use_client_cert" -> useClientCertificate = Flags.parseBoolean(kv);
        case "soak_iterations" -> options.soakIterations(Flags.parseInt(kv));
        case "soak_max_failures" -> options.soakMaxFailures(Flags.parseInt(kv));
        case "soak_per_iteration_max_acceptable_latency_ms" ->
            options.soakPerIterationMaxAcceptableLatencyMs(Flags.parseInt(kv));
        case "soak_overall_timeout_seconds" ->
            options.soakOverallTimeoutSeconds(Flags.parseInt(kv));
        case "soak_request_size" -> options.soakRequestSize(Flags.parseInt(kv));
        case "soak_response_size" -> options.soakResponseSize(Flags.parseInt(kv));
        case "skip_compressed_probe" -> options.skipCompressedProbe(Flags.parseBoolean(kv));
        default -> Flags.usage("Unknown flag --" + kv[0], USAGE);
      }
    }
    if (port <= 0 || testCase == null) {
      Flags.usage("--server_port and --test_case are required", USAGE);
    }
    if (!InteropTestCases.CASES.contains(testCase)) {
      Flags.usage("Unknown test case " + testCase + "; known: " + InteropTestCases.CASES, null);
    }
  }

  private int run() {
    SslContext tls = useTls ? InteropTls.client(useTestCa, useClientCertificate) : null;
    Supplier<TernChannel> channels = () -> newChannel(host, port, hostOverride, tls);
    TernChannel channel = channels.get();
    try {
      new InteropTestCases(channel, channels, options).run(testCase);
      System.out.println("PASSED " + testCase);
      return 0;
    } catch (Throwable t) {
      String reason = t.getMessage() == null ? t.toString() : t.getMessage();
      System.err.println("FAILED " + testCase + ": " + reason.replace('\n', ' '));
      return 1;
    } finally {
      InteropTestCases.shutdown(channel);
    }
  }

  /** A channel as the interop client makes them: TLS if {@code tls} is not null. */
  public static TernChannel newChannel(String host, int port, String hostOverride,
      SslContext tls) {
    TernChannel.Builder b = TernChannel.builder().forAddress(host, port)
        .maxInboundMessageSize(InteropServer.MAX_MESSAGE_SIZE)
        // gzip that notes which responses arrived compressed (server_compressed_*).
        .codecRegistry(MessageCompression.recordingRegistry());
    if (hostOverride != null) {
      b.overrideAuthority(hostOverride);
    }
    if (tls != null) {
      b.sslContext(tls);
    }
    return b.build();
  }

  private static final String USAGE = "usage: interop-client.sh --server_host=HOST"
      + " --server_port=PORT --test_case=NAME [--use_tls=true --use_test_ca=true"
      + " --server_host_override=foo.test.google.fr] [--soak_iterations=N ...]";
}
