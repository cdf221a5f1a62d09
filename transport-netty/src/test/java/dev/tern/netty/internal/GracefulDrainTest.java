package dev.tern.netty.internal;

import static dev.tern.testing.RawFrame.Type.GOAWAY;
import static dev.tern.testing.RawFrame.Type.PING;
import static dev.tern.testing.RawFrame.Type.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Marshaller;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerMethodDefinition;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.Ticker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GracefulDrain} on an {@link EmbeddedChannel} with frozen time: each interleaving of the
 * client's frames and the server's timers is a named step, with no sockets and no sleeps. The
 * client is a raw {@link RawHttp2Connection#embeddedRaw} peer: it answers nothing by itself, so
 * the test decides when the drain PING is acknowledged.
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
  private RawHttp2Connection client;

  private void connect(ServerLimits limits) throws Exception {
    ServerSettings settings = ServerSettings.builder()
        .methodsByPath(Map.of(HANG, HANG_METHOD))
        .limits(limits)
        .autoFlowControl(false)
        .build();
    channel = new EmbeddedChannel();
    channel.freezeTime();
    handler = ServerHandler.create(settings);
    channel.pipeline().addLast(handler);
    client = RawHttp2Connection.embeddedRaw(Ticker.newMockTicker());
    client.handshake();
    frames(); // the server's SETTINGS, WINDOW_UPDATE and SETTINGS ACK
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

  /** The client opens stream {@code streamId} with a request for {@code path}. */
  private void request(int streamId, String path, boolean endStream) {
    client.headers(streamId, GrpcWire.requestHeaders(path), endStream);
    client.exchange(channel);
  }

  private void rstStream(int streamId, Http2Error error) {
    client.rstStream(streamId, error);
    client.exchange(channel);
  }

  private void pingAck(long data) {
    client.pingAck(data);
    client.exchange(channel);
  }

  private void connect() throws Exception {
    connect(ServerLimits.builder().build());
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void pingThenFinalGoAwayThenRefusedThenCloseWhenTheLastStreamEnds() throws Exception {
    connect();
    request(1, HANG, false);
    assertEquals(GracefulDrain.State.OPEN, handler.drainState());

    // Step 1: shutdown starts: GOAWAY(2^31-1) and the drain PING.
    handler.startGracefulShutdown(ServerLimits.NEVER);
    List<RawFrame> frames = frames();
    assertEquals(List.of(GOAWAY, PING), frames.stream().map(f -> f.type()).toList());
    assertEquals(Integer.MAX_VALUE, frames.get(0).lastStreamId());
    assertEquals(Http2Error.NO_ERROR.code(), frames.get(0).errorCode());
    assertEquals(GracefulDrain.DRAIN_PING_DATA, frames.get(1).pingContent());
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());

    // Step 2: a stream the client opened before it saw the GOAWAY is still served.
    request(3, HANG, false);
    assertTrue(frames(RST_STREAM).isEmpty());

    // Step 3: the PING ACK: the final GOAWAY names stream 3.
    pingAck(GracefulDrain.DRAIN_PING_DATA);
    List<RawFrame> goAways = frames(GOAWAY);
    assertEquals(1, goAways.size());
    assertEquals(3, goAways.get(0).lastStreamId());
    assertEquals(GracefulDrain.State.FINAL_GOAWAY_SENT, handler.drainState());

    // Step 4: a stream opened after it is refused, unprocessed.
    request(5, HANG, true);
    List<RawFrame> resets = frames(RST_STREAM);
    assertEquals(1, resets.size());
    assertEquals(5, resets.get(0).streamId());
    assertEquals(Http2Error.REFUSED_STREAM.code(), resets.get(0).errorCode());

    // Step 5: the calls end; the connection closes with the last of them.
    rstStream(1, Http2Error.CANCEL);
    assertTrue(channel.isOpen());
    rstStream(3, Http2Error.CANCEL);
    channel.runPendingTasks();
    assertFalse(channel.isOpen());
    assertEquals(GracefulDrain.State.CLOSED, handler.drainState());
  }

  @Test
  void unansweredPingSendsTheFinalGoAwayAfterItsTimeout() throws Exception {
    connect();
    request(1, HANG, false);
    handler.startGracefulShutdown(ServerLimits.NEVER);
    frames();

    channel.advanceTimeBy(GracefulDrain.DRAIN_PING_TIMEOUT_NANOS - 1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());

    channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    List<RawFrame> goAways = frames(GOAWAY);
    assertEquals(1, goAways.size());
    assertEquals(1, goAways.get(0).lastStreamId());
    assertEquals(GracefulDrain.State.FINAL_GOAWAY_SENT, handler.drainState());
    assertTrue(channel.isOpen(), "stream 1 is still running");
  }

  @Test
  void drainWithoutStreamsClosesOnTheFinalGoAway() throws Exception {
    connect();
    handler.startGracefulShutdown(ServerLimits.NEVER);
    frames();
    pingAck(GracefulDrain.DRAIN_PING_DATA);
    channel.runPendingTasks();
    assertEquals(0, frames(GOAWAY).get(0).lastStreamId());
    assertFalse(channel.isOpen());
    assertEquals(GracefulDrain.State.CLOSED, handler.drainState());
  }

  @Test
  void maxConnectionIdleStartsTheDrain() throws Exception {
    connect(ServerLimits.builder().maxConnectionIdleNanos(TimeUnit.SECONDS.toNanos(5)).build());
    channel.advanceTimeBy(5, TimeUnit.SECONDS);
    channel.runPendingTasks();
    List<RawFrame> frames = frames();
    assertEquals(List.of(GOAWAY, PING), frames.stream().map(f -> f.type()).toList());
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());
  }

  /** No GOAWAY until {@code nanos} from now pass on the channel's clock, then the drain's. */
  private void assertDrainStartsIn(long nanos) {
    channel.advanceTimeBy(nanos - 1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    assertEquals(List.of(), frames(GOAWAY), "1 ns short of idle");
    channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    assertEquals(1, frames(GOAWAY).size());
  }

  @Test
  void maxConnectionIdle_notWhileACallRuns_countsFromTheLastCallsEnd() throws Exception {
    connect(ServerLimits.builder().maxConnectionIdleNanos(TimeUnit.SECONDS.toNanos(5)).build());
    request(1, HANG, false);
    channel.advanceTimeBy(10, TimeUnit.SECONDS);
    channel.runPendingTasks();
    assertEquals(List.of(), frames(GOAWAY), "a running call keeps the connection busy");
    rstStream(1, Http2Error.CANCEL);
    assertDrainStartsIn(TimeUnit.SECONDS.toNanos(5));
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());
  }

  @Test
  void maxConnectionIdle_aShortCallWhileTheTimerIsArmed_idleCountsFromItsEnd() throws Exception {
    connect(ServerLimits.builder().maxConnectionIdleNanos(TimeUnit.SECONDS.toNanos(5)).build());
    channel.advanceTimeBy(1, TimeUnit.SECONDS);
    channel.runPendingTasks();
    request(1, HANG, false);
    channel.advanceTimeBy(1, TimeUnit.SECONDS);
    channel.runPendingTasks();
    rstStream(1, Http2Error.CANCEL); // idle from 2 s on: the drain is due at 7 s
    assertDrainStartsIn(TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void maxConnectionAgeGraceClosesWithCallsStillRunning() throws Exception {
    connect(ServerLimits.builder()
        .maxConnectionAgeNanos(TimeUnit.SECONDS.toNanos(100))
        .maxConnectionAgeGraceNanos(TimeUnit.SECONDS.toNanos(3))
        .build());
    request(1, HANG, false);
    // The age is jittered by ±10% (gRFC A9): by 110 s it has passed.
    channel.advanceTimeBy(110, TimeUnit.SECONDS);
    channel.runPendingTasks();
    assertEquals(List.of(GOAWAY, PING), frames().stream().map(f -> f.type()).toList());
    pingAck(GracefulDrain.DRAIN_PING_DATA);
    assertEquals(GracefulDrain.State.FINAL_GOAWAY_SENT, handler.drainState());

    channel.advanceTimeBy(3, TimeUnit.SECONDS);
    channel.runPendingTasks();
    assertFalse(channel.isOpen(), "the grace period ended the call");
    assertEquals(GracefulDrain.State.CLOSED, handler.drainState());
  }

  @Test
  void drainPinged_ackOfAnotherPing_noFinalGoAway_thenDrainAck_finalGoAway() throws Exception {
    connect();
    request(1, HANG, false);
    handler.startGracefulShutdown(ServerLimits.NEVER);
    frames();
    pingAck(12345L); // e.g. the ACK of a BDP or keepalive PING: not the drain's
    assertTrue(frames(GOAWAY).isEmpty());
    assertEquals(GracefulDrain.State.DRAIN_PINGED, handler.drainState());
    pingAck(GracefulDrain.DRAIN_PING_DATA);
    assertEquals(1, frames(GOAWAY).get(0).lastStreamId());
  }

  @Test
  void finalGoAwaySent_refusedStreamGoesOnSendingData_connectionAndOtherCallsSurvive() throws Exception {
    connect();
    request(1, HANG, false);
    handler.startGracefulShutdown(ServerLimits.NEVER);
    pingAck(GracefulDrain.DRAIN_PING_DATA);
    frames();
    // The client had not seen the final GOAWAY when it opened stream 3 and sent its message.
    request(3, HANG, false);
    client.data(3, GrpcWire.lengthPrefixed("late"), true);
    List<RawFrame> frames = frames();
    assertEquals(List.of(RST_STREAM), frames.stream().map(RawFrame::type).distinct().toList(),
        frames::toString);
    assertEquals(Http2Error.REFUSED_STREAM.code(), frames.get(0).errorCode());
    assertTrue(channel.isOpen(), "DATA of a refused stream is no connection error");
    assertEquals(GracefulDrain.State.FINAL_GOAWAY_SENT, handler.drainState());
    rstStream(1, Http2Error.CANCEL);
    channel.runPendingTasks();
    assertFalse(channel.isOpen(), "stream 1 was the last");
  }

  @Test
  void drainWithLongGrace_thenAgainWithShorterGrace_closesWhenTheShorterEnds() throws Exception {
    connect();
    request(1, HANG, false);
    handler.startGracefulShutdown(TimeUnit.SECONDS.toNanos(30));
    handler.startGracefulShutdown(TimeUnit.SECONDS.toNanos(5));
    assertEquals(List.of(GOAWAY, PING), frames().stream().map(RawFrame::type).toList(),
        "one GOAWAY and PING, however often shutdown is asked for");
    channel.advanceTimeBy(5, TimeUnit.SECONDS);
    channel.runPendingTasks();
    assertFalse(channel.isOpen(), "the shorter grace period replaced the longer");
    assertEquals(GracefulDrain.State.CLOSED, handler.drainState());
  }
}
