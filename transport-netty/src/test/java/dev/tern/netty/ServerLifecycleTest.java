package dev.tern.netty;

import static dev.tern.netty.RawPeer.DATA;
import static dev.tern.netty.RawPeer.END_STREAM;
import static dev.tern.netty.RawPeer.GOAWAY;
import static dev.tern.netty.RawPeer.HEADERS;
import static dev.tern.netty.RawPeer.PING;
import static dev.tern.netty.RawPeer.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.handler.codec.http2.Http2Error;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow peers and the server's connection lifecycle: the handshake timeout, max connection idle and
 * age (gRFC A9), zero-window peers, graceful shutdown with two GOAWAYs, and shutdownNow.
 */
class ServerLifecycleTest {
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
  private static RawPeer.Frame answerDrainPing(RawPeer peer) throws Exception {
    RawPeer.Frame ping = peer.await(f -> f.type == PING && !f.isAck(), 20, TimeUnit.SECONDS);
    assertNotNull(ping, "no PING after the first GOAWAY");
    peer.frame(PING, RawPeer.ACK, 0, ping.payload);
    RawPeer.Frame last = peer.awaitGoAway();
    assertNotNull(last, "no final GOAWAY");
    return last;
  }

  @Test
  void silentConnectionIsClosedAfterHandshakeTimeout() throws Exception {
    TernServer server = serverBuilder().handshakeTimeout(300, TimeUnit.MILLISECONDS).build()
        .start();
    TernChannel channel = channelTo(server);
    try (RawPeer silent = RawPeer.connect(server.port());
        RawPeer halfPreface = RawPeer.connect(server.port())) {
      halfPreface.write(new byte[] {'P', 'R', 'I'});
      assertServing(channel);
      assertTrue(silent.awaitClosed(20, TimeUnit.SECONDS), "silent peer still connected");
      assertTrue(halfPreface.awaitClosed(20, TimeUnit.SECONDS), "slow preface still connected");
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
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      ServerAttackTest.assertUnaryWorks(peer, 1);
      RawPeer.Frame first = peer.awaitGoAway();
      assertNotNull(first);
      assertEquals(Integer.MAX_VALUE, first.lastStreamId());
      assertEquals(Http2Error.NO_ERROR.code(), first.errorCode());
      RawPeer.Frame last = answerDrainPing(peer);
      assertEquals(1, last.lastStreamId());
      assertTrue(peer.awaitClosed(20, TimeUnit.SECONDS));
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void connectionPastMaxAgeIsClosedAfterGrace() throws Exception {
    TernServer server = serverBuilder().maxConnectionAge(300, TimeUnit.MILLISECONDS)
        .maxConnectionAgeGrace(500, TimeUnit.MILLISECONDS).build().start();
    TernChannel channel = channelTo(server);
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      peer.headers(1, RawPeer.grpcRequest(HANG), false);
      peer.data(1, RawPeer.grpcMessage("never answered"), true);
      HangService.Pending inFlight = hang.next();
      RawPeer.Frame first = peer.awaitGoAway();
      assertNotNull(first);
      assertEquals(Integer.MAX_VALUE, first.lastStreamId());
      assertEquals(1, answerDrainPing(peer).lastStreamId());
      // The call does not finish within the grace period: the connection is closed anyway.
      assertTrue(peer.awaitClosed(20, TimeUnit.SECONDS));
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
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshake();
      // SETTINGS_INITIAL_WINDOW_SIZE (0x4) = 0: no stream may receive DATA.
      peer.frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) 4).putInt(0).array());
      peer.frame(SETTINGS, RawPeer.ACK, 0, new byte[0]);
      peer.headers(1, RawPeer.grpcRequest(UNARY), false);
      peer.data(1, RawPeer.grpcMessage("x".repeat(1000)), true);
      assertNotNull(peer.await(f -> f.type == HEADERS && f.streamId == 1, 20, TimeUnit.SECONDS));
      assertNull(peer.await(f -> f.type == DATA, 300, TimeUnit.MILLISECONDS),
          "DATA sent past a zero window");
      peer.windowUpdate(1, 100);
      RawPeer.Frame data = peer.await(f -> f.type == DATA, 20, TimeUnit.SECONDS);
      assertNotNull(data);
      assertEquals(100, data.payload.length);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void gracefulShutdownSendsTwoGoAwaysAndLetsCallsFinish() throws Exception {
    TernServer server = serverBuilder().build().start();
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      peer.headers(1, RawPeer.grpcRequest(HANG), false);
      peer.data(1, RawPeer.grpcMessage("one"), true);
      HangService.Pending first = hang.next();

      server.shutdown();
      RawPeer.Frame goAway = peer.awaitGoAway();
      assertNotNull(goAway);
      assertEquals(Integer.MAX_VALUE, goAway.lastStreamId());
      assertEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
      // A stream sent before we "saw" the GOAWAY is still accepted and processed.
      peer.headers(3, RawPeer.grpcRequest(HANG), false);
      peer.data(3, RawPeer.grpcMessage("two"), true);
      HangService.Pending second = hang.next();

      RawPeer.Frame last = answerDrainPing(peer);
      assertEquals(3, last.lastStreamId());
      // Above the last stream id: never processed (the client may retry it elsewhere).
      peer.headers(5, RawPeer.grpcRequest(UNARY), false);
      peer.data(5, RawPeer.grpcMessage("three"), true);
      RawPeer.Frame refused = peer.await(f -> f.type == RawPeer.RST_STREAM && f.streamId == 5,
          20, TimeUnit.SECONDS);
      assertNotNull(refused, "stream 5 was not refused");
      assertEquals(Http2Error.REFUSED_STREAM.code(), refused.errorCode());
      assertThrows(IOException.class, () -> new Socket("127.0.0.1", server.port()).close(),
          "new connections must be refused");

      first.answer("one done");
      second.answer("two done");
      for (int id : new int[] {1, 3}) {
        RawPeer.Frame trailers = peer.await(
            f -> f.type == HEADERS && f.streamId == id && (f.flags & END_STREAM) != 0,
            20, TimeUnit.SECONDS);
        assertNotNull(trailers, "stream " + id + " did not finish");
        assertEquals("0", trailers.headers.get("grpc-status").toString());
      }
      assertTrue(peer.awaitClosed(20, TimeUnit.SECONDS));
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
