package dev.tern.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.stub.ClientCalls;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages as objects or bytes, and the size limits on them. */
class InProcessMessagesTest {
  private final InProcessFixture fixture = new InProcessFixture();
  private final String name = InProcessFixture.uniqueName();

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  private static MethodDescriptor<String, String> unary(Marshaller<String> marshaller) {
    return Strings.method("Unary", MethodDescriptor.MethodType.UNARY, marshaller);
  }

  private void echoServer(Marshaller<String> marshaller,
      java.util.function.Consumer<InProcessServer.Builder> configure) throws Exception {
    fixture.server(name, b -> {
      b.addService(ServerServiceDefinition.builder(Strings.SERVICE)
          .addMethod(unary(marshaller), echo())
          .build());
      configure.accept(b);
    });
  }

  /** Answers the request unchanged. */
  private static dev.tern.ServerCallHandler<String, String> echo() {
    return dev.tern.stub.ServerCalls.asyncUnaryCall((request, responses) -> {
      responses.onNext(request);
      responses.onCompleted();
    });
  }

  @Test
  void sameMarshallerOnBothSidesPassesObjectsWithoutSerializing() throws Exception {
    Strings.Utf8 marshaller = new Strings.Utf8();
    echoServer(marshaller, b -> {});
    assertEquals("hi", ClientCalls.blockingUnaryCall(fixture.channel(name, b -> {}),
        unary(marshaller), CallOptions.DEFAULT, "hi"));
    assertEquals(0, marshaller.written.get());
    assertEquals(0, marshaller.parsed.get());
  }

  @Test
  void serializeMessagesWritesAndParsesEveryMessage() throws Exception {
    Strings.Utf8 marshaller = new Strings.Utf8();
    echoServer(marshaller, b -> {});
    assertEquals("hi", ClientCalls.blockingUnaryCall(
        fixture.channel(name, b -> b.serializeMessages(true)),
        unary(marshaller), CallOptions.DEFAULT, "hi"));
    assertEquals(2, marshaller.written.get(), "the request and the response");
    assertEquals(2, marshaller.parsed.get());
  }

  @Test
  void differentMarshallersAreBridgedThroughBytes() throws Exception {
    Strings.Utf8 server = new Strings.Utf8();
    Strings.Utf8 client = new Strings.Utf8();
    echoServer(server, b -> {});
    assertEquals("hi", ClientCalls.blockingUnaryCall(fixture.channel(name, b -> {}),
        unary(client), CallOptions.DEFAULT, "hi"));
    assertEquals(1, client.written.get());
    assertEquals(1, server.parsed.get());
    assertEquals(1, server.written.get());
    assertEquals(1, client.parsed.get());
  }

  @Test
  void brokenMarshallerFailsTheCallWhenSerializing() throws Exception {
    Marshaller<String> broken = new Strings.Utf8() {
      @Override
      public String parse(ByteBuf in) {
        throw new IllegalArgumentException("not UTF-8 today");
      }
    };
    echoServer(broken, b -> {});
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(fixture.channel(name, b -> b.serializeMessages(true)),
            unary(broken), CallOptions.DEFAULT, "hi"));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
  }

  @Test
  void requestOverTheServersLimitIsResourceExhausted() throws Exception {
    echoServer(Strings.UTF8, b -> b.maxInboundMessageSize(10));
    InProcessChannel channel = fixture.channel(name, b -> {});
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(channel, unary(Strings.UTF8), CallOptions.DEFAULT,
            "x".repeat(11)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals("ok", ClientCalls.blockingUnaryCall(channel, unary(Strings.UTF8),
        CallOptions.DEFAULT, "ok"));
  }

  @Test
  void responseOverTheClientsLimitIsResourceExhausted() throws Exception {
    echoServer(Strings.UTF8, b -> {});
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(fixture.channel(name, b -> b.maxInboundMessageSize(10)),
            unary(Strings.UTF8), CallOptions.DEFAULT.withMaxOutboundMessageSize(100),
            "x".repeat(11)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
  }

  @Test
  void serializedMessagesLeftUndeliveredAreReleasedOnCancel() throws Exception {
    // The leak gate fails the class if the queued bytes are not released.
    fixture.server(name, b -> b.directExecutor()
        .addService(ServerServiceDefinition.builder(Strings.SERVICE)
            .addMethod(Strings.BIDI, (call, headers) -> new ServerCall.Listener<>() {})
            .build()));
    ClientCall<String, String> call = fixture.channel(name,
            b -> b.directExecutor().serializeMessages(true))
        .newCall(Strings.BIDI, CallOptions.DEFAULT);
    Recorder r = new Recorder();
    call.start(r, new Metadata());
    call.sendMessage("never requested 1");
    call.sendMessage("never requested 2");
    call.cancel("bye", null);
    assertEquals(Status.Code.CANCELLED, r.awaitStatus().getCode());
  }
}
