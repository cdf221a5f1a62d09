package dev.tern.netty.internal;

import static dev.tern.netty.internal.EmbeddedHttp2Client.GOAWAY;
import static dev.tern.netty.internal.EmbeddedHttp2Client.PING;
import static dev.tern.netty.internal.EmbeddedHttp2Client.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Marshaller;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerMethodDefinition;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GracefulDrain} on an {@link EmbeddedChannel} with frozen time: each interleaving of the
 * client's frames and the server's timers is a named step, with no sockets and no sleeps.
 */
class GracefulDrainTest {
  private static final String HANG = "/tern.test.Drain/Hang";
  private static final Marshaller<ByteBuf> BYTES = new Marshaller<>() {
    @Override
    public void write(ByteBuf value, ByteBuf out) {
      out.writeBytes(value);
    }

    @Override
    public ByteBuf parse(ByteBuf in) {
      return in.retainedSlice();
    }
  };
  private static final ServerMethodDefinition<ByteBuf, ByteBuf> HANG_METHOD =
      ServerMethodDefinition.create(
          MethodDescriptor.newBuilder(BYTES, BYTES).setFullMethodName(HANG.substring(1))
              .setType(MethodDescriptor.MethodType.UNARY).build(),
          (call, headers) -> new ServerCall.Listener<>() {});

  private EmbeddedChannel channel;
  private ServerHandler handler;
  private EmbeddedHttp2Client client;

  private void connect(ServerLimits limits) {
    ServerSettings settings = ServerSettings.builder()
        .methodsByPath(Map.of(HANG, HANG_METHOD))
        .limits(limits)
        .autoFlowControl(false)
        .build();
    channel = new EmbeddedChannel();
    channel.freezeTime();
    handler = ServerHandler.create(settings);
    channel.pipeline().addLast(handler);
    client = new EmbeddedHttp2Client(channel);
    client.preface();
    client.frames(); // the server's SETTINGS, WINDOW_UPDATE and SETTINGS ACK
  }

  private void connect() {
    connect(ServerLimits.builder().build());
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void pingThenFinalGoAwayThenRefusedThenCloseWhenTheLastStreamEnds() throws Exception {
    connect();
    client.request(1, HANG, false);
    assertEquals(GracefulDrain.State.OPEN, handler.drainState());

    // Step 1: shutdown starts: GOAWAY(2^31-1) and the drain PING.
    handler.startGracefulShutdown(ServerLimits.NEVER);
    List<EmbeddedHttp2Client.Frame> frames = client.frames();
    assertEquals(List.of(GOAWAY, PING), frames.stream().map(f -> f.type()).toList());
    assertEquals(Integer.MAX_VALUE, frames.get(0).lastStreamId());
    assertEquals(Http2Error.NO_ERROR.code(), frames.get(0).errorCode());
    assertEquals(GracefulDrain.DRAIN_PING_DATA, frames.get(1).pingData());
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());

    // Step 2: a stream the client opened before it saw the GOAWAY is still served.
    client.request(3, HANG, false);
    assertTrue(client.frames(RST_STREAM).isEmpty());

    // Step 3: the PING ACK: the final GOAWAY names stream 3.
    client.pingAck(GracefulDrain.DRAIN_PING_DATA);
    List<EmbeddedHttp2Client.Frame> goAways = client.frames(GOAWAY);
    assertEquals(1, goAways.size());
    assertEquals(3, goAways.get(0).lastStreamId());
    assertEquals(GracefulDrain.State.FINAL_GOAWAY_SENT, handler.drainState());

    // Step 4: a stream opened after it is refused, unprocessed.
    client.request(5, HANG, true);
    List<EmbeddedHttp2Client.Frame> resets = client.frames(RST_STREAM);
    assertEquals(1, resets.size());
    assertEquals(5, resets.get(0).streamId());
    assertEquals(Http2Error.REFUSED_STREAM.code(), resets.get(0).errorCode());

    // Step 5: the calls end; the connection closes with the last of them.
    client.rstStream(1, Http2Error.CANCEL.code());
    assertTrue(channel.isOpen());
    client.rstStream(3, Http2Error.CANCEL.code());
    channel.runPendingTasks();
    assertFalse(channel.isOpen());
    assertEquals(GracefulDrain.State.CLOSED, handler.drainState());
  }

  @Test
  void unansweredPingSendsTheFinalGoAwayAfterItsTimeout() throws Exception {
    connect();
    client.request(1, HANG, false);
    handler.startGracefulShutdown(ServerLimits.NEVER);
    client.frames();

    channel.advanceTimeBy(GracefulDrain.DRAIN_PING_TIMEOUT_NANOS - 1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());

    channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    List<EmbeddedHttp2Client.Frame> goAways = client.frames(GOAWAY);
    assertEquals(1, goAways.size());
    assertEquals(1, goAways.get(0).lastStreamId());
    assertEquals(GracefulDrain.State.FINAL_GOAWAY_SENT, handler.drainState());
    assertTrue(channel.isOpen(), "stream 1 is still running");
  }

  @Test
  void drainWithoutStreamsClosesOnTheFinalGoAway() throws Exception {
    connect();
    handler.startGracefulShutdown(ServerLimits.NEVER);
    client.frames();
    client.pingAck(GracefulDrain.DRAIN_PING_DATA);
    channel.runPendingTasks();
    assertEquals(0, client.frames(GOAWAY).get(0).lastStreamId());
    assertFalse(channel.isOpen());
    assertEquals(GracefulDrain.State.CLOSED, handler.drainState());
  }

  @Test
  void maxConnectionIdleStartsTheDrain() throws Exception {
    connect(ServerLimits.builder().maxConnectionIdleNanos(TimeUnit.SECONDS.toNanos(5)).build());
    channel.advanceTimeBy(5, TimeUnit.SECONDS);
    channel.runPendingTasks();
    List<EmbeddedHttp2Client.Frame> frames = client.frames();
    assertEquals(List.of(GOAWAY, PING), frames.stream().map(f -> f.type()).toList());
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());
  }

  @Test
  void maxConnectionAgeGraceClosesWithCallsStillRunning() throws Exception {
    connect(ServerLimits.builder()
        .maxConnectionAgeNanos(TimeUnit.SECONDS.toNanos(100))
        .maxConnectionAgeGraceNanos(TimeUnit.SECONDS.toNanos(3))
        .build());
    client.request(1, HANG, false);
    // The age is jittered by ±10% (gRFC A9): by 110 s it has passed.
    channel.advanceTimeBy(110, TimeUnit.SECONDS);
    channel.runPendingTasks();
    assertEquals(List.of(GOAWAY, PING), client.frames().stream().map(f -> f.type()).toList());
    client.pingAck(GracefulDrain.DRAIN_PING_DATA);
    assertEquals(GracefulDrain.State.FINAL_GOAWAY_SENT, handler.drainState());

    channel.advanceTimeBy(3, TimeUnit.SECONDS);
    channel.runPendingTasks();
    assertFalse(channel.isOpen(), "the grace period ended the call");
    assertEquals(GracefulDrain.State.CLOSED, handler.drainState());
  }
}
