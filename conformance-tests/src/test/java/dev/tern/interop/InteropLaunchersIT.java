package dev.tern.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.ChildJvmLeaks;
import io.netty.util.ResourceLeakDetectorFactory;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The launchers as outside tools use them: interop-server.sh with TLS, interop-client.sh for two
 * cases and one failure, then SIGTERM. Runs after packaging (failsafe), when the class path file
 * the scripts read exists.
 */
class InteropLaunchersIT {
  private static final Pattern STARTED = Pattern.compile("Server started on port (\\d+)");
  private final File dir = new File(System.getProperty("tern.interop.dir", "."));

  @Test
  void leakGateRunsUnderFailsafeToo() {
    // Installed by LeakDetectorExtension's class initializer: only if auto-detection loaded it.
    assertEquals("dev.tern.testing.LeakDetectorExtension$RecordingFactory",
        ResourceLeakDetectorFactory.instance().getClass().getName());
  }

  @Test
  void serverScriptServesClientScriptCasesAndStopsOnSigterm() throws Exception {
    Process server = launcher("interop-server.sh", "--port=0", "--use_tls=true")
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      // Reads all the server prints: the port line, then anything up to exit (a leak report).
      StringBuffer serverOutput = new StringBuffer();
      CompletableFuture<Integer> port = new CompletableFuture<>();
      CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
        try {
          for (String line; (line = out.readLine()) != null; ) {
            serverOutput.append(line).append('\n');
            Matcher m = STARTED.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
          }
          port.completeExceptionally(new IllegalStateException("server exited without starting"));
        } catch (IOException e) {
          port.completeExceptionally(e);
          throw new IllegalStateException(e);
        }
      });
      int p = port.get(60, TimeUnit.SECONDS);
      // exec: the script's process is the JVM itself.
      assertTrue(server.info().command().orElse("").endsWith("java"),
          () -> "server PID runs " + server.info().command());
      // The leak detector option reached the server JVM through TERN_INTEROP_JAVA_OPTS.
      assertTrue(List.of(server.info().arguments().orElse(new String[0]))
              .contains("-Dio.netty.leakDetection.level=paranoid"),
          () -> "server JVM arguments " + server.info().arguments().map(List::of));

      for (String testCase : List.of("empty_unary", "ping_pong")) {
        Result r = client("--server_host=127.0.0.1", "--server_port=" + p,
            "--test_case=" + testCase, "--use_tls=true", "--use_test_ca=true",
            "--server_host_override=" + InteropTls.SERVER_HOST_OVERRIDE);
        assertEquals(0, r.exit, () -> testCase + ": " + r.output);
      }

      // The same port serves Connect (JSON, over HTTP/1.1 by ALPN) and gRPC-Web (over h2).
      assertWebProtocolsServed(p);

      // Plaintext to the TLS port fails fast, with one line saying why.
      Result failed = client("--server_host=127.0.0.1", "--server_port=" + p,
          "--test_case=empty_unary");
      assertNotEquals(0, failed.exit, failed.output);
      assertEquals(1, failed.output.lines().count(), failed.output);
      assertTrue(failed.output.startsWith("FAILED empty_unary: "), failed.output);

      server.destroy(); // SIGTERM
      assertTrue(server.waitFor(20, TimeUnit.SECONDS), "server did not stop on SIGTERM");
      // 143 = 128 + SIGTERM: the JVM ran its shutdown hook and exited.
      assertEquals(143, server.exitValue());
      drained.get(20, TimeUnit.SECONDS);
      ChildJvmLeaks.assertNoLeakReport("interop-server.sh", serverOutput);
    } finally {
      server.destroyForcibly();
    }
  }

  /** Connect unary JSON and gRPC-Web EmptyCalls through curl, when curl is installed. */
  private static void assertWebProtocolsServed(int port) throws Exception {
    if (!new java.io.File("/usr/bin/curl").canExecute()) {
      assertNotEquals("true", System.getenv("CI"), "curl is required under CI=true");
      return;
    }
    String url = "https://127.0.0.1:" + port + "/grpc.testing.TestService/EmptyCall";
    Process connect = new ProcessBuilder("curl", "-s", "-k", "--http1.1", "--max-time", "30",
        "-H", "content-type: application/json", "--data-binary", "{}", url)
        .redirectErrorStream(true).start();
    String body = new String(connect.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(connect.waitFor(60, TimeUnit.SECONDS));
    assertEquals("{}", body, "Connect JSON EmptyCall");
    Process grpcWeb = new ProcessBuilder("curl", "-s", "-k", "--http2", "--max-time", "30",
        "-H", "content-type: application/grpc-web+proto", "--data-binary", "@-",
        "-o", "/dev/null", "-w", "%{http_code}", url)
        .redirectErrorStream(true).start();
    grpcWeb.getOutputStream().write(new byte[5]);
    grpcWeb.getOutputStream().close();
    String code = new String(grpcWeb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(grpcWeb.waitFor(60, TimeUnit.SECONDS));
    assertEquals("200", code, "gRPC-Web EmptyCall");
  }

  private record Result(int exit, String output) {}

  private Result client(String... args) throws Exception {
    Process client = launcher("interop-client.sh", args).redirectErrorStream(true).start();
    String output;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
      output = r.lines().collect(Collectors.joining("\n"));
    }
    assertTrue(client.waitFor(60, TimeUnit.SECONDS), "client did not finish");
    ChildJvmLeaks.assertNoLeakReport("interop-client.sh", output);
    return new Result(client.exitValue(), output);
  }

  /** Runs a launcher script as outside tools do, its JVM with the tests' PARANOID detector. */
  private ProcessBuilder launcher(String script, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("bash", script));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir);
    pb.environment().put("TERN_INTEROP_JAVA_OPTS", ChildJvmLeaks.JVM_OPTIONS);
    return pb;
  }
}
