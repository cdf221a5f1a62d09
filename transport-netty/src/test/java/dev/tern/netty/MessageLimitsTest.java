package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.testing.TcpProxy;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Outbound message size limits: RESOURCE_EXHAUSTED before anything is sent. */
class MessageLimitsTest {
  private static final MethodDescriptor<String, String> BIDI =
      StreamingMethods.method("Bidi", MethodType.BIDI_STREAMING);
  private static final MethodDescriptor<String, String> SERVER_STREAM =
      StreamingMethods.method("ServerStream", MethodType.SERVER_STREAMING);

  private static TernServer server;
  private static TcpProxy proxy;
  private static TernChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = TernServer.builder().port(0)
        .addService(ServerServiceDefinition.builder(StreamingMethods.SERVICE)
            .addMethod(BIDI, StreamingMethods.echoBidi())
            .addMethod(SERVER_STREAM, StreamingMethods.politeServerStream())
            .build())
        .maxOutboundMessageSize(10_000).build().start();
    proxy = TcpProxy.start(server.port());
    channel = TernChannel.builder().target("127.0.0.1:" + proxy.port())
        .maxOutboundMessageSize(20_000).build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    proxy.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void requestOverTheClientsLimitFailsBeforeItIsSent() throws Exception {
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(BIDI, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(10);
    call.sendMessage("ok");
    long before = proxy.bytesToServer();
    call.sendMessage("x".repeat(50_000));
    r.await();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.status.getCode(), r.status::toString);
    assertTrue(proxy.bytesToServer() - before < 1000, "the big message never left");
  }

  @Test
  void perCallLimitOverridesTheChannels() throws Exception {
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(BIDI,
        CallOptions.DEFAULT.withMaxOutboundMessageSize(100));
    call.start(r, new Metadata());
    call.sendMessage("x".repeat(101));
    r.await();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.status.getCode(), r.status::toString);
  }

  @Test
  void responseOverTheServersLimitEndsTheCallWithResourceExhausted() throws Exception {
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(SERVER_STREAM, CallOptions.DEFAULT);
    call.start(r, new Metadata());
    call.request(Integer.MAX_VALUE);
    call.sendMessage("3,20000"); // each response is twice the server's limit
    call.halfClose();
    r.await();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.status.getCode(), r.status::toString);
    assertTrue(r.messages.isEmpty());
  }
}
