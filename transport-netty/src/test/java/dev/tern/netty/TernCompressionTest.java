package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Client;
import dev.tern.testing.RawHttp2Connection;
import dev.tern.testing.RawHttp2Server;
import dev.tern.testing.TcpProxy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** gzip / identity, encoding negotiation and decompression limits between Tern peers. */
class TernCompressionTest {
  private static final Metadata.Key<String> RESPOND_WITH = Metadata.Key.ascii("x-respond-with");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  static final MethodDescriptor<String, String> ECHO =
      StreamingMethods.method("Echo", MethodType.BIDI_STREAMING);
  /** Client streaming of zeros; answers the total size received. */
  static final MethodDescriptor<Integer, Integer> SINK =
      MethodDescriptor.newBuilder(TestMethods.ZEROS, TestMethods.ZEROS).setFullMethodName(StreamingMethods.SERVICE + "/Sink")
          .setType(MethodType.BIDI_STREAMING).build();
  /** Answers a gzip message of as many zeros as the request says. */
  static final MethodDescriptor<Integer, Integer> ZEROS_METHOD =
      MethodDescriptor.newBuilder(TestMethods.ZEROS, TestMethods.ZEROS)
          .setFullMethodName(StreamingMethods.SERVICE + "/Zeros")
          .setType(MethodType.UNARY).build();

  private static TernServer server;
  private static TcpProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder(StreamingMethods.SERVICE)
        .addMethod(ECHO, TernCompressionTest::echo)
        .addMethod(SINK, TernCompressionTest::sink)
        .addMethod(ZEROS_METHOD, TernCompressionTest::zeros)
        .build();
    server = TernServer.builder().port(0).addService(service)
        .maxInboundMessageSize(1 << 20).build().start();
    proxy = TcpProxy.start(server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Echo; responds in the encoding named by x-respond-with, if the client accepts it. */
  private static ServerCall.Listener<String> echo(ServerCall<String, String> call,
      Metadata headers) {
    String encoding = headers.get(RESPOND_WITH);
    if (encoding != null) {
      call.setCompression(encoding);
    }
    call.request(1);
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        call.sendMessage(message);
        call.request(1);
      }

      @Override
      public void onHalfClose() {
        call.close(Status.OK, new Metadata());
      }
    };
  }

  private static ServerCall.Listener<Integer> sink(ServerCall<Integer, Integer> call,
      Metadata headers) {
    call.request(1);
    return new ServerCall.Listener<>() {
      int total;

      @Override
      public void onMessage(Integer size) {
        total += size;
        call.request(1);
      }

      @Override
      public void onHalfClose() {
        call.sendMessage(total);
        call.close(Status.OK, new Metadata());
      }
    };
  }

  private static ServerCall.Listener<Integer> zeros(ServerCall<Integer, Integer> call,
      Metadata headers) {
    call.setCompression("gzip");
    call.request(1);
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(Integer size) {
        call.sendMessage(size);
        call.close(Status.OK, new Metadata());
      }
    };
  }

  private static TernChannel channel() {
    return TernChannel.builder().target("127.0.0.1:" + proxy.port()).build();
  }

  /** Runs an echo of {@code messages} and returns the bytes each way on the wire. */
  private static long[] echo(TernChannel channel, CallOptions options, boolean messageCompression,
      String respondWith, List<String> messages) throws Exception {
    long up = proxy.bytesToServer();
    long down = proxy.bytesToClient();
    CallResult<String> r = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(ECHO, options);
    Metadata headers = new Metadata();
    if (respondWith != null) {
      headers.put(RESPOND_WITH, respondWith);
    }
    call.start(r, headers);
    call.setMessageCompression(messageCompression);
    call.request(Integer.MAX_VALUE);
    for (String m : messages) {
      call.sendMessage(m);
    }
    call.halfClose();
    r.await();
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(messages, r.messages);
    return new long[] {proxy.bytesToServer() - up, proxy.bytesToClient() - down};
  }

  private static List<String> compressible() {
    String m = "tern ".repeat(20_000); // 100 KB
    return List.of(m, m, m, m, m);
  }

  @Test
  void gzipBothWaysShrinksTheBytesOnTheWire() throws Exception {
    TernChannel channel = channel();
    try {
      long[] bytes = echo(channel, CallOptions.DEFAULT.withCompression("gzip"), true, "gzip",
          compressible());
      assertTrue(bytes[0] < 50_000 && bytes[1] < 50_000,
          "500 KB each way took " + bytes[0] + " up and " + bytes[1] + " down");
      System.out.printf("gzip echo of 500 KB: %d bytes up, %d bytes down%n", bytes[0], bytes[1]);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void identityIsTheDefaultEachWay() throws Exception {
    TernChannel channel = channel();
    try {
      long[] bytes = echo(channel, CallOptions.DEFAULT, true, null, compressible());
      assertTrue(bytes[0] > 500_000 && bytes[1] > 500_000);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverRespondsUncompressedWhenTheClientDoesNotAcceptTheEncoding() throws Exception {
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + proxy.port())
        .codecRegistry(CodecRegistry.empty()).build();
    try {
      long[] bytes = echo(channel, CallOptions.DEFAULT, true, "gzip", compressible());
      assertTrue(bytes[1] > 500_000, "responses were not compressed: " + bytes[1]);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void messageCompressionCanBeTurnedOffPerCall() throws Exception {
    TernChannel channel = channel();
    try {
      long[] bytes = echo(channel, CallOptions.DEFAULT.withCompression("gzip"), false, "gzip",
          compressible());
      assertTrue(bytes[0] > 500_000, "requests went uncompressed: " + bytes[0]);
      assertTrue(bytes[1] < 50_000, "responses still compressed: " + bytes[1]);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void unknownCompressorInCallOptionsFailsTheCall() throws Exception {
    TernChannel channel = channel();
    try {
      CallResult<String> r = new CallResult<>();
      ClientCall<String, String> call = channel.newCall(ECHO,
          CallOptions.DEFAULT.withCompression("brotli"));
      call.start(r, new Metadata());
      call.sendMessage("x");
      call.halfClose();
      r.await();
      assertEquals(Status.Code.INTERNAL, r.status.getCode());
      assertTrue(r.status.getDescription().contains("brotli"), r.status::toString);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void requestInAnEncodingTheServerLacksIsUnimplementedWithAcceptEncoding() throws Exception {
    // A client that knows "snappy" (here a fake one); the server does not.
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .codecRegistry(CodecRegistry.getDefault().with(new FakeCodec("snappy"))).build();
    try {
      CallResult<String> r = new CallResult<>();
      ClientCall<String, String> call = channel.newCall(ECHO,
          CallOptions.DEFAULT.withCompression("snappy"));
      call.start(r, new Metadata());
      call.request(1);
      call.sendMessage("x".repeat(1000));
      call.halfClose();
      r.await();
      assertEquals(Status.Code.UNIMPLEMENTED, r.status.getCode(), r.status::toString);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // On the wire: Trailers-Only with grpc-accept-encoding (PROTOCOL-HTTP2.md).
    try (RawHttp2Client client = RawHttp2Client.connect(server.port())) {
      int id = client.newStream(GrpcWire.requestHeaders(ECHO.getPath())
          .set("grpc-encoding", "snappy"), false);
      RawFrame response = client.nextFrame(id, RawFrame.Type.HEADERS);
      assertEquals("12", response.header("grpc-status"));
      assertEquals("gzip", response.header("grpc-accept-encoding"));
      assertTrue(response.isEndStream());
    }
  }

  @Test
  void compressedFlagWithoutEncodingIsInternalOnTheServer() throws Exception {
    try (RawHttp2Client client = RawHttp2Client.connect(server.port())) {
      int id = client.newStream(GrpcWire.requestHeaders(ECHO.getPath()), false);
      byte[] body = "hi".getBytes();
      client.data(id, GrpcWire.concat(List.of(GrpcWire.prefix(true, body.length), body)), true);
      RawFrame trailers = client.take(f -> f.streamId() == id
          && f.type() == RawFrame.Type.HEADERS && f.isEndStream(), TIMEOUT);
      assertEquals("13", trailers.header("grpc-status"), trailers::toString);
    }
  }

  @Test
  void compressedFlagWithoutEncodingIsInternalOnTheClient() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = TernChannel.builder().target("127.0.0.1:" + raw.port()).build();
      try {
        CallResult<String> r = new CallResult<>();
        ClientCall<String, String> call = channel.newCall(ECHO, CallOptions.DEFAULT);
        call.start(r, new Metadata());
        call.request(1);
        call.halfClose();
        RawHttp2Connection conn = raw.accept();
        RawFrame request = conn.take(f -> f.type() == RawFrame.Type.HEADERS, TIMEOUT);
        conn.headers(request.streamId(), GrpcWire.responseHeaders(), false);
        conn.data(request.streamId(), GrpcWire.concat(List.of(GrpcWire.prefix(true, 2),
            "hi".getBytes())), false);
        r.await();
        assertEquals(Status.Code.INTERNAL, r.status.getCode(), r.status::toString);
        assertTrue(r.messages.isEmpty());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void responseInAnEncodingTheClientLacksIsInternal() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = TernChannel.builder().target("127.0.0.1:" + raw.port()).build();
      try {
        CallResult<String> r = new CallResult<>();
        ClientCall<String, String> call = channel.newCall(ECHO, CallOptions.DEFAULT);
        call.start(r, new Metadata());
        call.request(1);
        call.halfClose();
        RawHttp2Connection conn = raw.accept();
        RawFrame request = conn.take(f -> f.type() == RawFrame.Type.HEADERS, TIMEOUT);
        assertEquals("gzip", request.header("grpc-accept-encoding"));
        conn.headers(request.streamId(), GrpcWire.responseHeaders().set("grpc-encoding", "zstd"),
            false);
        r.await();
        assertEquals(Status.Code.INTERNAL, r.status.getCode(), r.status::toString);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void compressionBombToTheServerIsResourceExhaustedAndOtherCallsGoOn() throws Exception {
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + proxy.port()).build();
    try {
      // A call in progress on the same connection.
      CallResult<String> other = new CallResult<>();
      ClientCall<String, String> otherCall = channel.newCall(ECHO, CallOptions.DEFAULT);
      otherCall.start(other, new Metadata());
      otherCall.request(Integer.MAX_VALUE);
      otherCall.sendMessage("before");

      long up = proxy.bytesToServer();
      CallResult<Integer> bomb = new CallResult<>();
      ClientCall<Integer, Integer> bombCall = channel.newCall(SINK,
          CallOptions.DEFAULT.withCompression("gzip"));
      bombCall.start(bomb, new Metadata());
      bombCall.request(1);
      bombCall.sendMessage(64 << 20); // 64 MiB of zeros: about 64 KiB of gzip; limit 1 MiB
      bombCall.halfClose();
      bomb.await();
      long bombBytes = proxy.bytesToServer() - up;
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, bomb.status.getCode(), bomb.status::toString);
      assertTrue(bombBytes < 200_000, "the bomb was small on the wire: " + bombBytes);

      otherCall.sendMessage("after");
      otherCall.halfClose();
      other.await();
      assertEquals(Status.Code.OK, other.status.getCode(), other.status::toString);
      assertEquals(List.of("before", "after"), other.messages);
      System.out.printf("compression bomb: %d bytes on the wire inflating to 64 MiB -> %s%n",
          bombBytes, bomb.status);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void compressionBombToTheClientIsResourceExhaustedAndOtherCallsGoOn() throws Exception {
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + proxy.port())
        .maxInboundMessageSize(1 << 20).build();
    try {
      CallResult<Integer> bomb = new CallResult<>();
      ClientCall<Integer, Integer> bombCall = channel.newCall(ZEROS_METHOD, CallOptions.DEFAULT);
      bombCall.start(bomb, new Metadata());
      bombCall.request(1);
      bombCall.sendMessage(64 << 20);
      bombCall.halfClose();
      bomb.await();
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, bomb.status.getCode(), bomb.status::toString);

      CallResult<Integer> fine = new CallResult<>();
      ClientCall<Integer, Integer> fineCall = channel.newCall(ZEROS_METHOD, CallOptions.DEFAULT);
      fineCall.start(fine, new Metadata());
      fineCall.request(1);
      fineCall.sendMessage(1 << 20);
      fineCall.halfClose();
      fine.await();
      assertEquals(Status.Code.OK, fine.status.getCode(), fine.status::toString);
      assertEquals(List.of(1 << 20), fine.messages, "exactly the limit is allowed");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Copies bytes as they are; stands for an encoding one side lacks. */
  private static final class FakeCodec implements Codec {
    private final String name;

    FakeCodec(String name) {
      this.name = name;
    }

    @Override
    public String encoding() {
      return name;
    }

    @Override
    public void compress(ByteBuf src, ByteBuf dst) {
      dst.writeBytes(src, src.readerIndex(), src.readableBytes());
    }

    @Override
    public ByteBuf decompress(ByteBuf src, ByteBufAllocator alloc, int maxSize) {
      return src.retainedDuplicate();
    }
  }
}
