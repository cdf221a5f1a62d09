package dev.tern.interop;

import io.grpc.testing.integration.GrpcJavaInteropServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Tern's interop client against grpc-java 1.79.0's interop server ({@code TestServiceServer}, in
 * this JVM), every case, plaintext and TLS.
 *
 * <p>client_compressed_unary and client_compressed_streaming skip their feature probe here:
 * grpc-java's server cannot see a message's compressed flag, so it does not enforce
 * {@code expect_compressed} and the probe would wrongly succeed. The compressed and
 * uncompressed calls that follow the probe still run. server_compressed_streaming does not check
 * the responses' compressed flags here: grpc-java's TestServiceImpl ignores
 * {@code ResponseParameters.compressed} (it compresses only unary responses on request), so
 * both arrive uncompressed; server_compressed_unary's flags are checked.
 */
class TernClientToGrpcJavaServerTest {
  static final List<String> CASES = InteropTestCases.CASES;

  private static GrpcJavaInteropServer plaintext;
  private static GrpcJavaInteropServer tls;

  @BeforeAll
  static void start() throws Exception {
    plaintext = new GrpcJavaInteropServer(false);
    tls = new GrpcJavaInteropServer(true);
  }

  @AfterAll
  static void stop() throws Exception {
    if (plaintext != null) {
      plaintext.close();
    }
    if (tls != null) {
      tls.close();
    }
  }

  static void run(String testCase, int port, boolean useTls) throws Exception {
    InteropTestCases.Options options = TernToTernInteropTest.options()
        .skipCompressedProbe(true).checkStreamingCompressedFlags(false);
    String hostOverride = useTls ? InteropTls.SERVER_HOST_OVERRIDE : null;
    io.netty.handler.ssl.SslContext ssl = useTls ? InteropTls.client(true, false) : null;
    dev.tern.netty.TernChannel channel =
        InteropClient.newChannel("127.0.0.1", port, hostOverride, ssl);
    try {
      new InteropTestCases(channel,
          () -> InteropClient.newChannel("127.0.0.1", port, hostOverride, ssl), options)
          .run(testCase);
    } finally {
      InteropTestCases.shutdown(channel);
    }
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void plaintext(String testCase) throws Exception {
    run(testCase, plaintext.port(), false);
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void tls(String testCase) throws Exception {
    run(testCase, tls.port(), true);
  }
}
