package dev.tern.netty;

import static io.netty.handler.codec.http2.Http2Flags.ACK;
import static io.netty.handler.codec.http2.Http2Flags.END_HEADERS;
import static io.netty.handler.codec.http2.Http2Flags.END_STREAM;
import static io.netty.handler.codec.http2.Http2FrameTypes.CONTINUATION;
import static io.netty.handler.codec.http2.Http2FrameTypes.DATA;
import static io.netty.handler.codec.http2.Http2FrameTypes.HEADERS;
import static io.netty.handler.codec.http2.Http2FrameTypes.PRIORITY;
import static io.netty.handler.codec.http2.Http2FrameTypes.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Client;
import dev.tern.testing.RawHttp2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One test per HTTP/2 attack class against a server with default settings: each asserts the
 * answer the attacker gets and that another connection's call succeeds while the attack runs and
 * after it.
 */
class ServerAttackTest {
  /** How long a frame the test expects may take to arrive. */
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String UNARY = "/tern.test.Echo/Unary";

  private static TernServer server;
  private static TernChannel bystander;

  @BeforeAll
  static void start() throws Exception {
    server = TernServer.builder().port(0).addService(TestMethods.echoService()).build().start();
    bystander = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    assertServing();
  }

  @AfterAll
  static void stop() throws Exception {
    bystander.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A call on the bystander's own connection succeeds. */
  static void assertServing() throws Exception {
    CallResult<String> r = CallResult.unary(bystander, TestMethods.UNARY, "still here",
        new Metadata());
    assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    assertEquals(List.of("still here"), r.messages);
  }

  /** Runs {@code attack} on another thread while the bystander makes calls. */
  static void duringAttack(ThrowingRunnable attack) throws Exception {
    CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
      try {
        attack.run();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertServing();
    done.get(60, TimeUnit.SECONDS);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static RawFrame goAway(RawHttp2Connection peer) throws InterruptedException {
    return peer.take(f -> f.type() == RawFrame.Type.GOAWAY, WAIT);
  }

  // ---------------------------------------------------------------- stream limits

  @Test
  void streamsBeyondMaxConcurrentStreamsAreRefusedBeforeSettingsAck() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      // Preface and SETTINGS, but never a SETTINGS ACK: the limit must hold from the first frame.
      peer.handshake();
      Http2Headers request = GrpcWire.requestHeaders(UNARY);
      duringAttack(() -> {
        for (int i = 0; i < TernServer.DEFAULT_MAX_CONCURRENT_STREAMS + 1; i++) {
          peer.headers(1 + 2 * i, request, false);
        }
      });
      int refusedId = 1 + 2 * TernServer.DEFAULT_MAX_CONCURRENT_STREAMS;
      RawFrame rst = peer.take(f -> f.type() == RawFrame.Type.RST_STREAM, WAIT);
      assertNotNull(rst, "no RST_STREAM");
      assertEquals(refusedId, rst.streamId());
      assertEquals(Http2Error.REFUSED_STREAM.code(), rst.errorCode());
      // The other streams are unharmed: the first one completes normally.
      peer.data(1, GrpcWire.lengthPrefixed("first"), true);
      RawFrame trailers = peer.take(
          f -> f.type() == RawFrame.Type.HEADERS && f.streamId() == 1 && f.isEndStream(), WAIT);
      assertNotNull(trailers);
      assertEquals("0", trailers.header("grpc-status"));
    }
    assertServing();
  }

  // ---------------------------------------------------------------- resets

  @Test
  void rapidResetGetsEnhanceYourCalm() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      Http2Headers request = GrpcWire.requestHeaders(UNARY);
      duringAttack(() -> {
        // CVE-2023-44487: open and cancel streams as fast as possible.
        int id = 1;
        try {
          for (int i = 0; i < TernServer.DEFAULT_MAX_RST_FRAMES + 10; i++, id += 2) {
            peer.headers(id, request, false);
            peer.rstStream(id, Http2Error.CANCEL);
          }
        } catch (IllegalStateException closedByServer) {
          // Expected once the server gives up on us.
        }
      });
      RawFrame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
      assertTrue(peer.awaitClosed(WAIT));
    }
    assertServing();
  }

  @Test
  void madeYouResetGetsEnhanceYourCalm() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      Http2Headers request = GrpcWire.requestHeaders(UNARY);
      duringAttack(() -> {
        // CVE-2025-8671: frames that make the server reset the stream itself (here a
        // WINDOW_UPDATE of 0, a stream error of type PROTOCOL_ERROR, RFC 9113 §6.9).
        int id = 1;
        try {
          for (int i = 0; i < TernServer.DEFAULT_MAX_PROVOKED_RST_FRAMES + 10; i++, id += 2) {
            peer.headers(id, request, false);
            peer.windowUpdate(id, 0);
          }
        } catch (IllegalStateException closedByServer) {
          // Expected once the server gives up on us.
        }
      });
      RawFrame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    }
    assertServing();
  }

  // ---------------------------------------------------------------- header blocks

  @Test
  void continuationFloodOfEmptyFramesGetsGoAway() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      byte[] block = peer.encodeHeaders(GrpcWire.requestHeaders(UNARY));
      duringAttack(() -> {
        // HEADERS without END_HEADERS, then zero-length CONTINUATION frames forever.
        peer.writeFrame(HEADERS, 0, 1, block);
        try {
          for (int i = 0; i < 100_000; i++) {
            peer.writeFrame(CONTINUATION, 0, 1, new byte[0]);
          }
        } catch (IllegalStateException closedByServer) {
          // Expected.
        }
      });
      RawFrame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    }
    assertServing();
  }

  @Test
  void headerBlockGrowingPastTheLimitGetsGoAway() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      byte[] block = peer.encodeHeaders(GrpcWire.requestHeaders(UNARY));
      duringAttack(() -> {
        peer.writeFrame(HEADERS, 0, 1, block);
        // Large CONTINUATION frames of junk: the block is capped as it accumulates.
        byte[] junk = new byte[12 * 1024];
        try {
          for (int i = 0; i < 1000; i++) {
            peer.writeFrame(CONTINUATION, 0, 1, junk);
          }
        } catch (IllegalStateException closedByServer) {
          // Expected.
        }
      });
      RawFrame goAway = goAway(peer);
      assertEquals(Http2Error.PROTOCOL_ERROR.code(), goAway.errorCode());
    }
    assertServing();
  }

  @Test
  void headerListJustOverTheLimitFailsOnlyThatStream() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      Http2Headers big = GrpcWire.requestHeaders(UNARY)
          .add("x-big", "v".repeat(TernServer.DEFAULT_MAX_HEADER_LIST_SIZE));
      duringAttack(() -> peer.headers(1, big, true));
      RawFrame answer = peer.take(
          f -> f.streamId() == 1 && f.type() == RawFrame.Type.HEADERS, WAIT);
      assertNotNull(answer);
      assertEquals(String.valueOf(Status.Code.RESOURCE_EXHAUSTED.value()),
          answer.header("grpc-status"), answer::toString);
      // The connection and its HPACK state are fine: the next request on it succeeds.
      assertUnaryWorks(peer, 3);
    }
    assertServing();
  }

  @Test
  void hpackBombFailsOnlyThatStreamAndKeepsHpackInSync() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      // A 4000-byte value added to the dynamic table (RFC 7541 §6.2.1), then referenced by a
      // one-byte index 2000 times: 8 MB decoded from 6 KB on the wire.
      block.write(0x40);
      RawHttp2Connection.hpackString(block, "x-bomb");
      RawHttp2Connection.hpackString(block, "b".repeat(4000));
      block.writeBytes(RawHttp2Connection.literalHeaderBlock(
          ":method", "POST",
          ":scheme", "http",
          ":path", UNARY,
          "content-type", "application/grpc"));
      for (int i = 0; i < 2000; i++) {
        block.write(0x80 | 62); // Indexed: the first dynamic-table entry.
      }
      duringAttack(() -> peer.writeFrame(HEADERS, END_HEADERS | END_STREAM, 1,
          block.toByteArray()));
      RawFrame answer = peer.take(
          f -> f.streamId() == 1 && f.type() == RawFrame.Type.HEADERS, WAIT);
      assertNotNull(answer);
      assertEquals(String.valueOf(Status.Code.RESOURCE_EXHAUSTED.value()),
          answer.header("grpc-status"), answer::toString);
      // The bomb's table entry was kept: a request that references it decodes correctly.
      ByteArrayOutputStream next = new ByteArrayOutputStream();
      next.writeBytes(RawHttp2Connection.literalHeaderBlock(
          ":method", "POST",
          ":scheme", "http",
          ":path", UNARY,
          "content-type", "application/grpc"));
      next.write(0x80 | 62);
      peer.writeFrame(HEADERS, END_HEADERS, 3, next.toByteArray());
      peer.data(3, GrpcWire.lengthPrefixed("after the bomb"), true);
      RawFrame trailers = peer.take(
          f -> f.type() == RawFrame.Type.HEADERS && f.streamId() == 3 && f.isEndStream(), WAIT);
      assertNotNull(trailers);
      assertEquals("0", trailers.header("grpc-status"), trailers::toString);
    }
    assertServing();
  }

  // ---------------------------------------------------------------- control frames

  @Test
  void settingsFloodFromPeerThatDoesNotReadIsClosed() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRawWithoutReading(server.port())) {
      peer.handshake();
      // Let the server send as much as it likes (SETTINGS_INITIAL_WINDOW_SIZE = 2^31-1)...
      peer.writeFrame(SETTINGS, 0, 0,
          ByteBuffer.allocate(6).putShort((short) 4).putInt(Integer.MAX_VALUE).array());
      peer.writeFrame(SETTINGS, ACK, 0, new byte[0]);
      peer.windowUpdate(0, Integer.MAX_VALUE - 65_535);
      // ...ask for 16 echoes of 900 KB that are never read, so the socket buffers fill up...
      byte[] message = GrpcWire.lengthPrefixed("x".repeat(900 * 1024));
      for (int i = 0; i < 16; i++) {
        int id = 1 + 2 * i;
        peer.headers(id, GrpcWire.requestHeaders(UNARY), false);
        for (int off = 0; off < message.length; off += 16_384) {
          int n = Math.min(16_384, message.length - off);
          peer.data(id, java.util.Arrays.copyOfRange(message, off, off + n),
              off + n == message.length);
        }
      }
      // ...then send SETTINGS frames, each of which needs an ACK: the ACKs pile up until the
      // limit and the server closes the connection, which makes our writes fail.
      byte[] burst = new byte[9 * 1024];
      for (int i = 0; i < 1024; i++) {
        System.arraycopy(RawHttp2Connection.frameBytes(SETTINGS, 0, 0, new byte[0]), 0, burst,
            i * 9, 9);
      }
      CompletableFuture<Boolean> closedByServer = new CompletableFuture<>();
      duringAttack(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
          while (System.nanoTime() < deadline) {
            peer.writeRaw(burst);
          }
          closedByServer.complete(false);
        } catch (IllegalStateException e) {
          closedByServer.complete(true);
        }
      });
      assertTrue(closedByServer.get(), "the server kept the connection");
    }
    assertServing();
  }

  @Test
  void pingFloodGetsTooManyPings() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      duringAttack(() -> {
        try {
          for (int i = 0; i < 10; i++) {
            peer.ping(i);
          }
        } catch (IllegalStateException closedByServer) {
          // Expected.
        }
      });
      RawFrame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
      assertEquals("too_many_pings", new String(goAway.payload(), StandardCharsets.UTF_8));
    }
    assertServing();
  }

  @Test
  void emptyDataFloodIsClosed() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      peer.headers(1, GrpcWire.requestHeaders(UNARY), false);
      duringAttack(() -> {
        try {
          for (int i = 0; i < 1000; i++) {
            peer.writeFrame(DATA, 0, 1, new byte[0]);
          }
        } catch (IllegalStateException closedByServer) {
          // Expected.
        }
      });
      RawFrame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    }
    assertServing();
  }

  @Test
  void priorityFloodIsIgnoredCheaply() throws Exception {
    try (RawHttp2Client peer = RawHttp2Client.connectRaw(server.port())) {
      peer.handshakeAndAck();
      byte[] burst = new byte[14 * 1000];
      duringAttack(() -> {
        // PRIORITY for ever new (idle) streams, each depending on the previous: a dependency
        // tree would grow without bound; a server ignoring PRIORITY pays nothing.
        int id = 1;
        for (int round = 0; round < 100; round++) {
          for (int i = 0; i < 1000; i++, id += 2) {
            ByteBuffer payload = ByteBuffer.allocate(5).putInt(Math.max(0, id - 2)).put((byte) 15);
            System.arraycopy(RawHttp2Connection.frameBytes(PRIORITY, 0, id, payload.array()), 0,
                burst,
                i * 14, 14);
          }
          peer.writeRaw(burst);
        }
      });
      // No error: the connection still serves a request on a fresh stream id.
      peer.ping(42);
      assertNotNull(peer.take(f -> f.type() == RawFrame.Type.PING && f.isAck(), WAIT));
      assertNull(peer.poll(f -> f.type() == RawFrame.Type.GOAWAY, Duration.ofMillis(100)));
      assertUnaryWorks(peer, 200_001);
    }
    assertServing();
  }

  /** A complete unary call on the raw connection. */
  static void assertUnaryWorks(RawHttp2Connection peer, int streamId) throws Exception {
    peer.headers(streamId, GrpcWire.requestHeaders(UNARY), false);
    peer.data(streamId, GrpcWire.lengthPrefixed("ok"), true);
    RawFrame trailers = peer.take(
        f -> f.type() == RawFrame.Type.HEADERS && f.streamId() == streamId && f.isEndStream(),
        WAIT);
    assertNotNull(trailers, "no response on stream " + streamId);
    assertEquals("0", trailers.header("grpc-status"), trailers::toString);
  }
}
