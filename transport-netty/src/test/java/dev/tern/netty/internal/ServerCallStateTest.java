package dev.tern.netty.internal;

import static dev.tern.netty.internal.EmbeddedHttp2Client.DATA;
import static dev.tern.netty.internal.EmbeddedHttp2Client.HEADERS;
import static dev.tern.netty.internal.EmbeddedHttp2Client.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
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
 * ticks and handler actions, with no sockets, threads or sleeps.
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
  private EmbeddedHttp2Client client;
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
    client = new EmbeddedHttp2Client(channel);
    client.preface();
    client.frames();
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private void flushWrites() {
    // The application's writes go through the connection's write queue, an event-loop task.
    channel.runPendingTasks();
  }

  @Test
  void headersMessageAndStatusThenStreamClosedCompletes() throws Exception {
    connect(true);
    client.request(1, "/tern.test.State/Call", false);
    client.message(1, "hi".getBytes(StandardCharsets.UTF_8), true);
    flushWrites();
    List<EmbeddedHttp2Client.Frame> frames = client.frames();
    assertEquals(List.of(HEADERS, DATA, HEADERS), frames.stream().map(f -> f.type()).toList());
    assertEquals("200", frames.get(0).headers().status().toString());
    assertTrue(frames.get(2).endStream());
    assertEquals("0", frames.get(2).headers().get("grpc-status").toString());
    assertEquals(List.of("started", "message hi", "complete"), events);
    assertTrue(!call.isCancelled());
  }

  @Test
  void deadlineCutsTheCallShortWithStatusAndReset() throws Exception {
    connect(false);
    client.request(1, "/tern.test.State/Call", "1S", false);
    client.message(1, "hi".getBytes(StandardCharsets.UTF_8), false);
    assertEquals(List.of("started", "message hi"), events);

    channel.advanceTimeBy(1, TimeUnit.SECONDS);
    channel.runPendingTasks();
    List<EmbeddedHttp2Client.Frame> frames = client.frames();
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
    client.request(1, "/tern.test.State/Call", "0n", false);
    channel.runPendingTasks();
    List<EmbeddedHttp2Client.Frame> frames = client.frames();
    assertEquals(List.of(HEADERS, RST_STREAM), frames.stream().map(f -> f.type()).toList());
    assertEquals(String.valueOf(Status.Code.DEADLINE_EXCEEDED.value()),
        frames.get(0).headers().get("grpc-status").toString());
    assertEquals(List.of(), events, "no startCall, and so no onCancel");
  }

  @Test
  void clientResetCancelsTheHandler() throws Exception {
    connect(false);
    client.request(1, "/tern.test.State/Call", false);
    client.rstStream(1, Http2Error.CANCEL.code());
    assertEquals(List.of("started", "cancel"), events);
    assertTrue(call.isCancelled());
    // A status written after the reset goes nowhere.
    call.close(Status.OK, new Metadata());
    flushWrites();
    assertEquals(List.of(), client.frames(HEADERS));
  }

  @Test
  void undecodableRequestFailsTheCallWithInternal() throws Exception {
    connect(false);
    client.request(1, "/tern.test.State/Call", false);
    // A compressed message without grpc-encoding (PROTOCOL-HTTP2.md "Compressed-Flag").
    channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {
        0, 0, 7, DATA, 0, 0, 0, 0, 1, /* compressed */ 1, 0, 0, 0, 2, 'h', 'i'}));
    channel.runPendingTasks();
    List<EmbeddedHttp2Client.Frame> headers = client.frames(HEADERS);
    assertEquals(1, headers.size());
    assertEquals(String.valueOf(Status.Code.INTERNAL.value()),
        headers.get(0).headers().get("grpc-status").toString());
    client.rstStream(1, Http2Error.NO_ERROR.code());
    assertEquals(List.of("started", "cancel"), events);
  }
}
