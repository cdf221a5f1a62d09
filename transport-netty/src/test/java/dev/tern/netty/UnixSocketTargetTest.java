package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.netty.internal.EventLoops;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code unix:} targets (grpc doc/naming.md) over epoll Unix domain sockets: all call types. */
class UnixSocketTargetTest {
  private static final MethodDescriptor<String, String> SERVER_STREAM =
      StreamingMethods.method("ServerStream", MethodType.SERVER_STREAMING);
  private static final MethodDescriptor<String, String> CLIENT_STREAM =
      StreamingMethods.method("ClientStream", MethodType.CLIENT_STREAMING);
  private static final MethodDescriptor<String, String> BIDI =
      StreamingMethods.method("Bidi", MethodType.BIDI_STREAMING);

  private Path dir;
  private TernServer server;
  private TernChannel channel;

  @BeforeEach
  void start() throws Exception {
    if (!EventLoops.isNative()) {
      String why = "unix: targets need Netty's native epoll transport, not available here";
      if ("true".equals(System.getenv("CI"))) {
        fail(why);
      }
      Assumptions.assumeTrue(false, why);
    }
    dir = Files.createTempDirectory("tern-unix");
    Path socket = dir.resolve("grpc.sock");
    server = TernServer.builder().address(UnixDomainSocketAddress.of(socket))
        .addService(TestMethods.echoService())
        .addService(ServerServiceDefinition.builder(StreamingMethods.SERVICE)
            .addMethod(SERVER_STREAM, StreamingMethods.politeServerStream())
            .addMethod(CLIENT_STREAM, StreamingMethods.countingClientStream())
            .addMethod(BIDI, StreamingMethods.echoBidi())
            .build())
        .build().start();
    channel = TernChannel.builder().target("unix://" + socket.toAbsolutePath()).build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (dir != null) {
      Files.deleteIfExists(dir.resolve("grpc.sock"));
      Files.deleteIfExists(dir);
    }
  }

  private CallResult<String> call(MethodDescriptor<String, String> method, List<String> requests)
      throws Exception {
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(result, new Metadata());
    call.request(100);
    for (String r : requests) {
      call.sendMessage(r);
    }
    call.halfClose();
    return result.await();
  }

  @Test
  void unaryCallOverUnixSocket() throws Exception {
    CallResult<String> r = call(TestMethods.UNARY, List.of("ping"));
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("ping"), r.messages);
    assertEquals("localhost", channel.authority());
  }

  @Test
  void serverStreamingCallOverUnixSocket() throws Exception {
    CallResult<String> r = call(SERVER_STREAM, List.of("3,10"));
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(3, r.messages.size());
  }

  @Test
  void clientStreamingCallOverUnixSocket() throws Exception {
    CallResult<String> r = call(CLIENT_STREAM, List.of("ab", "cd", "ef"));
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("3,6"), r.messages);
  }

  @Test
  void bidiStreamingCallOverUnixSocket() throws Exception {
    CallResult<String> r = call(BIDI, List.of("x", "y"));
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("x", "y"), r.messages);
  }

  @Test
  void relativeUnixPathTargetIsAccepted() throws Exception {
    TernChannel relative = TernChannel.builder().target("unix:relative/grpc.sock").build();
    relative.shutdownNow();
    assertTrue(relative.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void unixTargetWithAnAuthorityIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TernChannel.builder().target("unix://host/tmp/x.sock").build());
    assertTrue(e.getMessage().contains("must not name an authority"), e::getMessage);
  }
}
