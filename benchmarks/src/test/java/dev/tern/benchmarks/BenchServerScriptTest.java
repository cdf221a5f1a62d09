package dev.tern.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.ChildJvmLeaks;
import io.grpc.ManagedChannel;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code bench-server.sh}: starts, reports its port, is the JVM itself, stops on SIGTERM. */
class BenchServerScriptTest {
  @Test
  void scriptExecsTheServerAndStopsOnSigterm() throws Exception {
    // Netty logs leak reports to stderr: kept in a file, checked once the server has stopped.
    Path stderr = Files.createTempFile("bench-server", ".err");
    ProcessBuilder pb = new ProcessBuilder("bash", "bench-server.sh", "--port=0",
        "--executor=direct").redirectError(stderr.toFile());
    // The test's own class path instead of the uber-jar, which is built after the tests.
    pb.environment().put("TERN_BENCH_CLASSPATH", System.getProperty("java.class.path"));
    // The server JVM runs the leak detector as strictly as this one.
    pb.environment().put("TERN_BENCH_JVM_OPTS", ChildJvmLeaks.JVM_OPTIONS);
    Process process = pb.start();
    try {
      int port = ServerProcess.awaitStarted(process);
      // exec: the PID the script got is the JVM's.
      String cmdline = new String(
          Files.readAllBytes(Path.of("/proc/" + process.pid() + "/cmdline")),
          StandardCharsets.UTF_8);
      assertTrue(cmdline.contains("dev.tern.benchmarks.BenchServer"), cmdline);
      // cmdline separates arguments with NUL.
      assertTrue(cmdline.contains("\0-Dio.netty.leakDetection.level=paranoid\0"), cmdline);

      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        assertEquals(0, BenchmarkServiceGrpc.newBlockingStub(channel)
            .unaryCall(Payloads.request(0)).getPayload().getBody().size());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      long cpu = ServerProcess.cpuTicks(process.pid());
      assertTrue(cpu >= 0);

      process.destroy(); // SIGTERM
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "server did not stop on SIGTERM");
      // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited on the signal.
      assertEquals(143, process.exitValue());
      String errors = Files.readString(stderr);
      System.err.print(errors);
      ChildJvmLeaks.assertNoLeakReport("bench-server.sh", errors);
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(stderr);
    }
  }
}
