package dev.tern.interop;

import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Tern's interop client against Tern's interop server: plaintext, TLS, and mutual TLS. */
class TernToTernInteropTest {
  static final List<String> CASES = InteropTestCases.CASES;

  private static TernServer plaintext;
  private static TernServer tls;
  private static TernServer mutualTls;

  @BeforeAll
  static void start() throws Exception {
    plaintext = InteropServer.start(0, null);
    tls = InteropServer.start(0, InteropTls.server(ClientAuth.NONE));
    // Client certificates required: a call succeeds only if the client presented one.
    mutualTls = InteropServer.start(0, InteropTls.server(ClientAuth.REQUIRE));
  }

  @AfterAll
  static void stop() throws Exception {
    for (TernServer s : new TernServer[] {plaintext, tls, mutualTls}) {
      if (s != null) {
        s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Soak settings for an in-build run: 5 iterations, and a per-iteration latency bound loose
   * enough for a loaded 2-core machine (a new TLS channel's first handshake alone can take
   * seconds while other test classes run); the descriptions leave both to the runner.
   */
  static InteropTestCases.Options options() {
    return new InteropTestCases.Options().soakIterations(SOAK_ITERATIONS)
        .soakPerIterationMaxAcceptableLatencyMs(SOAK_MAX_LATENCY_MS)
        .soakOverallTimeoutSeconds(SOAK_OVERALL_TIMEOUT_SECONDS);
  }

  static final int SOAK_ITERATIONS = 5;
  static final int SOAK_MAX_LATENCY_MS = 10_000;
  static final int SOAK_OVERALL_TIMEOUT_SECONDS = 60;

  static void run(String testCase, int port, String hostOverride, SslContext sslContext)
      throws Exception {
    TernChannel channel = InteropClient.newChannel("127.0.0.1", port, hostOverride, sslContext);
    try {
      new InteropTestCases(channel,
          () -> InteropClient.newChannel("127.0.0.1", port, hostOverride, sslContext), options())
          .run(testCase);
    } finally {
      InteropTestCases.shutdown(channel);
    }
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void plaintext(String testCase) throws Exception {
    run(testCase, plaintext.port(), null, null);
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void tls(String testCase) throws Exception {
    run(testCase, tls.port(), InteropTls.SERVER_HOST_OVERRIDE, InteropTls.client(true, false));
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void mutualTls(String testCase) throws Exception {
    run(testCase, mutualTls.port(), InteropTls.SERVER_HOST_OVERRIDE,
        InteropTls.client(true, true));
  }
}
