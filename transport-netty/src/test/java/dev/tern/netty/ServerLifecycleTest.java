package dev.tern.netty;

import static io.netty.handler.codec.http2.Http2Flags.ACK;
import static io.netty.handler.codec.http2.Http2FrameTypes.PING;
import static io.netty.handler.codec.http2.Http2FrameTypes.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Client;
import dev.tern.testing.RawHttp2Connection;
import io.netty.handler.codec.http2.Http2Error;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow peers and the server's connection lifecycle: the handshake timeout, max connection idle and
 * age (gRFC A9), zero-window peers, graceful shutdown with two GOAWAYs, and shutdownNow.
 */
class ServerLifecycleTest {
  /** How long a frame the test expects may take to arrive. */
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String HANG = "/tern.test.Life/Hang";
  private static final String UNARY = "/tern.test.Echo/Unary";

  private final HangService hang = new HangService();

  private TernServer.Builder serverBuilder() {
    return TernServer.builder().port(0).addService(TestMethods.echoService())
        .addService(hang.service());
  }

  private static TernChannel channelTo(TernServer server) {
    return TernChannel.builder().target("127.0.0.1:" + server.port()).build();
  }

  private static void assertServing(TernChannel channel) throws Exception {
    CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "still here",
        new Metadata());
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("still here"), r.messages);
  }

  /** Answers the server's drain PING and returns the final GOAWAY. */
  private static RawFrame answerDrainPing(RawHttp2Connection peer) throws Exception {
    RawFrame ping = peer.take(f -> f.type() == RawFrame.Type.PING && !f.isAck(), WAIT);
    assertNotNull(ping, "no PING after the first GOAWAY");
    peer.writeFrame(PING, ACK, 0, ByteBuffer.allocate(8).putLong(ping.pingContent()).array());
    RawFrame last = peer.take(f -> f.type() == RawFrame.Type.GOAWAY, WAIT);
    assertNotNull(last, "no final GOAWAY");
    return last;
  }

  @Test
  void silentConnectionIsClosedAfterHandshakeTimeout() throws Exception {
    TernServer server = serverBuilder().handshakeTimeout(300, TimeUnit.MILLISECONDS).build()
        .start();
    TernChannel channel = channelTo(server);
    try (RawHttp2Client silent = RawHttp2Client.connectRaw(server.port());
        RawHttp2Client halfPreface = RawHttp2Client.connectRaw(server.port())) {
      halfPreface.writeRaw(new byte[] {'P', 'R', 'I'});
      assertServing(channel);
      assertTrue(silent.awaitClosed(WAIT), "silent peer still connected");
      assertTrue(halfPreface.awaitClosed(WAIT), "slow preface still connected");
      assertServing(channel);
    } finally {
      channel.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void idleConnectionGetsGracefulGoAway() throws Exception {
    TernServer server = serverBuilder().maxConnectionIdle(300, TimeUnit.MILLISECONDS).build()
        .start();
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      ServerAttackTest.assertUnaryWorks(peer, 1);
      RawFrame first = peer.take(f -> f.type() == RawFrame.Type.GOAWAY, WAIT);
      assertNotNull(first);
      assertEquals(Integer.MAX_VALUE, first.lastStreamId());
      assertEquals(Http2Error.NO_ERROR.code(), first.errorCode());
      RawFrame last = answerDrainPing(peer);
      assertEquals(1, last.lastStreamId());
      assertTrue(peer.awaitClosed(WAIT));
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void connectionPastMaxAgeIsClosedAfterGrace() throws Exception {
    TernServer server = serverBuilder().maxConnectionAge(300, TimeUnit.MILLISECONDS)
        .maxConnectionAgeGrace(500, TimeUnit.MILLISECONDS).build().start();
    TernChannel channel = channelTo(server);
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      peer.headers(1, GrpcWire.requestHeaders(HANG), false);
      peer.data(1, GrpcWire.lengthPrefixed("never answered"), true);
      HangService.Pending inFlight = hang.next();
      RawFrame first = peer.take(f -> f.type() == RawFrame.Type.GOAWAY, WAIT);
      assertNotNull(first);
      assertEquals(Integer.MAX_VALUE, first.lastStreamId());
      assertEquals(1, answerDrainPing(peer).lastStreamId());
      // The call does not finish within the grace period: the connection is closed anyway.
      assertTrue(peer.awaitClosed(WAIT));
      inFlight.cancelled.get(20, TimeUnit.SECONDS);
      assertServing(channel);
    } finally {
      channel.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void zeroWindowPeerGetsNoDataUntilItOpensTheWindow() throws Exception {
    TernServer server = serverBuilder().build().start();
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshake();
      // SETTINGS_INITIAL_WINDOW_SIZE (0x4) = 0: no stream may receive DATA.
      peer.writeFrame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) 4).putInt(0).array());
      peer.writeFrame(SETTINGS, ACK, 0, new byte[0]);
      peer.headers(1, GrpcWire.requestHeaders(UNARY), false);
      peer.data(1, GrpcWire.lengthPrefixed("x".repeat(1000)), true);
      assertNotNull(peer.take(f -> f.type() == RawFrame.Type.HEADERS && f.streamId() == 1, WAIT));
      assertNull(peer.poll(f -> f.type() == RawFrame.Type.DATA, Duration.ofMillis(300)),
          "DATA sent past a zero window");
      peer.windowUpdate(1, 100);
      RawFrame data = peer.take(f -> f.type() == RawFrame.Type.DATA, WAIT);
      assertNotNull(data);
      assertEquals(100, data.payload().length);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void gracefulShutdownSendsTwoGoAwaysAndLetsCallsFinish() throws Exception {
    TernServer server = serverBuilder().build().start();
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      peer.headers(1, GrpcWire.requestHeaders(HANG), false);
      peer.data(1, GrpcWire.lengthPrefixed("one"), true);
      HangService.Pending first = hang.next();

      server.shutdown();
      RawFrame goAway = peer.take(f -> f.type() == RawFrame.Type.GOAWAY, WAIT);
      assertNotNull(goAway);
      assertEquals(Integer.MAX_VALUE, goAway.lastStreamId());
      assertEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
      // A stream sent before we "saw" the GOAWAY is still accepted and processed.
      peer.headers(3, GrpcWire.requestHeaders(HANG), false);
      peer.data(3, GrpcWire.lengthPrefixed("two"), true);
      HangService.Pending second = hang.next();

      RawFrame last = answerDrainPing(peer);
      assertEquals(3, last.lastStreamId());
      // Above the last stream id: never processed (the client may retry it elsewhere).
      peer.headers(5, GrpcWire.requestHeaders(UNARY), false);
      peer.data(5, GrpcWire.lengthPrefixed("three"), true);
      RawFrame refused = peer.take(
          f -> f.type() == RawFrame.Type.RST_STREAM && f.streamId() == 5, WAIT);
      assertNotNull(refused, "stream 5 was not refused");
      assertEquals(Http2Error.REFUSED_STREAM.code(), refused.errorCode());
      assertThrows(IOException.class, () -> new Socket("127.0.0.1", server.port()).close(),
          "new connections must be refused");

      first.answer("one done");
      second.answer("two done");
      for (int id : new int[] {1, 3}) {
        RawFrame trailers = peer.take(
            f -> f.type() == RawFrame.Type.HEADERS && f.streamId() == id && f.isEndStream(), WAIT);
        assertNotNull(trailers, "stream " + id + " did not finish");
        assertEquals("0", trailers.header("grpc-status"));
      }
      assertTrue(peer.awaitClosed(WAIT));
      assertTrue(server.awaitTermination(20, TimeUnit.SECONDS));
      assertFalse(hang.calls.stream().anyMatch(p -> true), "stream 5 reached the application");
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void shutdownNowCancelsCallsInFlight() throws Exception {
    TernServer server = serverBuilder().build().start();
    TernChannel channel = channelTo(server);
    try {
      CallResult<String> result = new CallResult<>();
      dev.tern.ClientCall<String, String> call =
          channel.newCall(HangService.HANG, dev.tern.CallOptions.DEFAULT);
      call.start(result, new Metadata());
      call.request(1);
      call.sendMessage("hang");
      call.halfClose();
      HangService.Pending pending = hang.next();
      server.shutdownNow();
      pending.cancelled.get(20, TimeUnit.SECONDS);
      result.await();
      assertEquals(Status.Code.UNAVAILABLE, result.status.getCode(), result.status::toString);
      assertTrue(server.awaitTermination(20, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }
}
