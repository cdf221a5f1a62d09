package dev.tern.netty.internal;

import static dev.tern.testing.RawFrame.Type.DATA;
import static dev.tern.testing.RawFrame.Type.HEADERS;
import static dev.tern.testing.RawFrame.Type.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server call's state machine ({@link ServerCallState}) on an {@link EmbeddedChannel} with
 * frozen time and callbacks run inline: each interleaving is a named sequence of frames, timer
 * ticks and handler actions, with no sockets, threads or sleeps. The client is a raw
 * {@link RawHttp2Connection#embeddedRaw} peer.
 */
class ServerCallStateTest {
  private static final Marshaller<String> TEXT = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  private final List<String> events = new CopyOnWriteArrayList<>();
  private EmbeddedChannel channel;
  private RawHttp2Connection client;
  private ServerCall<String, String> call;

  /** A server whose one method records its listener's events and echoes when told to. */
  private void connect(boolean echo) throws Exception {
    ServerCallHandler<String, String> callHandler = (c, headers) -> {
      call = c;
      events.add("started");
      c.request(1);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(String message) {
          events.add("message " + message);
          if (echo) {
            c.sendHeaders(new Metadata());
            c.sendMessage(message);
            c.close(Status.OK, new Metadata());
          }
        }

        @Override
        public void onCancel() {
          events.add("cancel");
        }

        @Override
        public void onComplete() {
          events.add("complete");
        }
      };
    };
    ServerMethodDefinition<String, String> method = ServerMethodDefinition.create(
        MethodDescriptor.newBuilder(TEXT, TEXT).setFullMethodName("tern.test.State/Call")
            .setType(MethodDescriptor.MethodType.UNARY).build(), callHandler);
    ServerSettings settings = ServerSettings.builder()
        .methodsByPath(Map.of("/tern.test.State/Call", method))
        .autoFlowControl(false)
        .build(); // no executor: callbacks run inline, on this thread
    channel = new EmbeddedChannel();
    channel.freezeTime();
    channel.pipeline().addLast(ServerHandler.create(settings));
    client = RawHttp2Connection.embeddedRaw(Ticker.newMockTicker());
    client.handshake();
    frames();
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
      channel.finishAndReleaseAll();
    }
  }

  /** Every frame the server has written since the last call. */
  private List<RawFrame> frames() {
    client.exchange(channel);
    return client.takeAll();
  }

  /** The frames of {@code type} the server has written since the last call to frames(). */
  private List<RawFrame> frames(RawFrame.Type type) {
    return frames().stream().filter(f -> f.type() == type).toList();
  }

  /** The client opens stream {@code streamId}: a request for {@code path}, with a timeout. */
  private void request(int streamId, String path, String timeout, boolean endStream) {
    Http2Headers headers = GrpcWire.requestHeaders(path);
    if (timeout != null) {
      headers.set("grpc-timeout", timeout);
    }
    client.headers(streamId, headers, endStream);
    client.exchange(channel);
  }

  private void request(int streamId, String path, boolean endStream) {
    request(streamId, path, null, endStream);
  }

  /** One length-prefixed message on {@code streamId}. */
  private void message(int streamId, byte[] message, boolean endStream) {
    client.data(streamId, GrpcWire.lengthPrefixed(message), endStream);
    client.exchange(channel);
  }

  private void rstStream(int streamId, Http2Error error) {
    client.rstStream(streamId, error);
    client.exchange(channel);
  }

  private void flushWrites() {
    // The application's writes go through the connection's write queue, an event-loop task.
    channel.runPendingTasks();
  }

  @Test
  void headersMessageAndStatusThenStreamClosedCompletes() throws Exception {
    connect(true);
    request(1, "/tern.test.State/Call", false);
    message(1, "hi".getBytes(StandardCharsets.UTF_8), true);
    flushWrites();
    List<RawFrame> frames = frames();
    assertEquals(List.of(HEADERS, DATA, HEADERS), frames.stream().map(f -> f.type()).toList());
    assertEquals("200", frames.get(0).headers().status().toString());
    assertTrue(frames.get(2).isEndStream());
    assertEquals("0", frames.get(2).headers().get("grpc-status").toString());
    assertEquals(List.of("started", "message hi", "complete"), events);
    assertTrue(!call.isCancelled());
  }

  @Test
  void deadlineCutsTheCallShortWithStatusAndReset() throws Exception {
    connect(false);
    request(1, "/tern.test.State/Call", "1S", false);
    message(1, "hi".getBytes(StandardCharsets.UTF_8), false);
    assertEquals(List.of("started", "message hi"), events);

    channel.advanceTimeBy(1, TimeUnit.SECONDS);
    channel.runPendingTasks();
    List<RawFrame> frames = frames();
    assertEquals(List.of(HEADERS, RST_STREAM), frames.stream().map(f -> f.type()).toList());
    assertEquals(String.valueOf(Status.Code.DEADLINE_EXCEEDED.value()),
        frames.get(0).headers().get("grpc-status").toString(), "Trailers-Only");
    assertEquals(Http2Error.CANCEL.code(), frames.get(1).errorCode());
    assertEquals(List.of("started", "message hi", "cancel"), events);
    assertTrue(call.isCancelled());
  }

  @Test
  void deadlinePassedOnArrivalIsRejectedWithoutStartingTheHandler() throws Exception {
    connect(false);
    request(1, "/tern.test.State/Call", "0n", false);
    channel.runPendingTasks();
    List<RawFrame> frames = frames();
    assertEquals(List.of(HEADERS, RST_STREAM), frames.stream().map(f -> f.type()).toList());
    assertEquals(String.valueOf(Status.Code.DEADLINE_EXCEEDED.value()),
        frames.get(0).headers().get("grpc-status").toString());
    assertEquals(List.of(), events, "no startCall, and so no onCancel");
  }

  @Test
  void clientResetCancelsTheHandler() throws Exception {
    connect(false);
    request(1, "/tern.test.State/Call", false);
    rstStream(1, Http2Error.CANCEL);
    assertEquals(List.of("started", "cancel"), events);
    assertTrue(call.isCancelled());
    // A status written after the reset goes nowhere.
    call.close(Status.OK, new Metadata());
    flushWrites();
    assertEquals(List.of(), frames(HEADERS));
  }

  @Test
  void undecodableRequestFailsTheCallWithInternal() throws Exception {
    connect(false);
    request(1, "/tern.test.State/Call", false);
    // A compressed message without grpc-encoding (PROTOCOL-HTTP2.md "Compressed-Flag").
    channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {
        0, 0, 7, Http2FrameTypes.DATA, 0, 0, 0, 0, 1, /* compressed */ 1, 0, 0, 0, 2, 'h', 'i'}));
    channel.runPendingTasks();
    List<RawFrame> headers = frames(HEADERS);
    assertEquals(1, headers.size());
    assertEquals(String.valueOf(Status.Code.INTERNAL.value()),
        headers.get(0).headers().get("grpc-status").toString());
    rstStream(1, Http2Error.NO_ERROR);
    assertEquals(List.of("started", "cancel"), events);
  }
}
