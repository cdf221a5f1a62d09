package dev.tern.interop;

import dev.tern.netty.TernServer;
import io.grpc.testing.integration.TestServiceClient;
import io.netty.handler.ssl.ClientAuth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * grpc-java 1.79.0's interop client ({@link TestServiceClient}, run in this JVM through its
 * {@code main}) against Tern's interop server, every case, plaintext and TLS. The cases of one
 * class run one after another: the client registers a load balancer in a global registry.
 */
class GrpcJavaClientToTernServerTest {
  static final List<String> CASES = InteropTestCases.CASES;

  private static TernServer plaintext;
  private static TernServer tls;

  @BeforeAll
  static void start() throws Exception {
    plaintext = InteropServer.start(0, null);
    tls = InteropServer.start(0, InteropTls.server(ClientAuth.NONE));
  }

  @AfterAll
  static void stop() throws Exception {
    for (TernServer s : new TernServer[] {plaintext, tls}) {
      if (s != null) {
        s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  /** grpc-java's flags; the soak cases with the in-build settings of TernToTernInteropTest. */
  static void runGrpcJavaClient(String testCase, int port, boolean useTls, String... extraArgs)
      throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--server_host=127.0.0.1",
        "--server_port=" + port,
        "--test_case=" + testCase,
        "--use_tls=" + useTls,
        "--soak_iterations=" + TernToTernInteropTest.SOAK_ITERATIONS,
        "--soak_per_iteration_max_acceptable_latency_ms="
            + TernToTernInteropTest.SOAK_MAX_LATENCY_MS,
        "--soak_overall_timeout_seconds=" + TernToTernInteropTest.SOAK_OVERALL_TIMEOUT_SECONDS));
    if (useTls) {
      args.add("--use_test_ca=true");
      args.add("--server_host_override=" + InteropTls.SERVER_HOST_OVERRIDE);
    }
    args.addAll(List.of(extraArgs));
    // Throws (an AssertionError from its checks) if the case fails.
    TestServiceClient.main(args.toArray(new String[0]));
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void plaintext(String testCase) throws Exception {
    runGrpcJavaClient(testCase, plaintext.port(), false);
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void tls(String testCase) throws Exception {
    runGrpcJavaClient(testCase, tls.port(), true);
  }

  /** gRFC A51: the per-call trailer and the out-of-band stream, checked by grpc-java's client. */
  static final List<String> ORCA_CASES = List.of("orca_per_rpc", "orca_oob");

  @ParameterizedTest(name = "{0}")
  @FieldSource("ORCA_CASES")
  void orca(String testCase) throws Exception {
    // The client reads ORCA reports through its test balancer, which the case's service config
    // selects (as grpc's interop runner configures it).
    runGrpcJavaClient(testCase, plaintext.port(), false, "--service_config_json="
        + "{\"loadBalancingConfig\": [{\"test_backend_metrics_load_balancer\": {}}]}");
  }
}
