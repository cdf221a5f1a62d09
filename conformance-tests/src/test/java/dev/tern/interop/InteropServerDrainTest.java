package dev.tern.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.ChildJvmLeaks;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.testing.integration.Messages.ResponseParameters;
import io.grpc.testing.integration.Messages.StreamingOutputCallRequest;
import io.grpc.testing.integration.Messages.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The interop server's main (what interop-server.sh runs) in its own JVM: SIGTERM lets the calls
 * in flight finish, and then the process exits (Kubernetes sends SIGTERM before it kills a pod).
 */
class InteropServerDrainTest {
  private static final Pattern STARTED = Pattern.compile("Server started on port (\\d+)");
  /** Calls in flight when SIGTERM arrives. */
  private static final int CALLS = 8;

  @Test
  void sigtermLetsCallsInFlightFinishThenExits() throws Exception {
    Path stderr = Files.createTempFile("interop-server", ".err");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(ChildJvmLeaks.JVM_OPTIONS.split(" ")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        InteropServer.class.getName(), "--port=0"));
    Process server = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    ManagedChannel channel = null;
    try {
      int port = awaitStarted(server);
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      // Each call answers once at once and once more after a pause: after the first answer the
      // call is in flight on the server.
      StreamingOutputCallRequest request = StreamingOutputCallRequest.newBuilder()
          .addResponseParameters(ResponseParameters.newBuilder().setSize(1))
          .addResponseParameters(ResponseParameters.newBuilder().setSize(2)
              .setIntervalUs((int) TimeUnit.SECONDS.toMicros(1)))
          .build();
      List<Iterator<StreamingOutputCallResponse>> calls = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        Iterator<StreamingOutputCallResponse> call = TestServiceGrpc.newBlockingStub(channel)
            .withWaitForReady().withDeadlineAfter(60, TimeUnit.SECONDS)
            .streamingOutputCall(request);
        assertEquals(1, call.next().getPayload().getBody().size());
        calls.add(call);
      }

      server.destroy(); // SIGTERM

      for (Iterator<StreamingOutputCallResponse> call : calls) {
        // Throws if the call failed: none may.
        StreamingOutputCallResponse last = call.next();
        assertEquals(2, last.getPayload().getBody().size());
        assertTrue(!call.hasNext());
      }
      assertTrue(server.waitFor(30, TimeUnit.SECONDS), "server did not exit after SIGTERM");
      // 143 = 128 + SIGTERM: the JVM ran its shutdown hook (the drain) and exited.
      assertEquals(143, server.exitValue());
      ChildJvmLeaks.assertNoLeakReport("InteropServer", Files.readString(stderr));
    } finally {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      server.destroyForcibly();
      Files.deleteIfExists(stderr);
    }
  }

  private static int awaitStarted(Process process) throws Exception {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = STARTED.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    assertNotNull(line, "the server exited before it started");
    throw new AssertionError("unreachable");
  }
}
