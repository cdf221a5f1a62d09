package dev.tern.netty;

import static dev.tern.netty.RawPeer.CONTINUATION;
import static dev.tern.netty.RawPeer.DATA;
import static dev.tern.netty.RawPeer.END_HEADERS;
import static dev.tern.netty.RawPeer.END_STREAM;
import static dev.tern.netty.RawPeer.GOAWAY;
import static dev.tern.netty.RawPeer.HEADERS;
import static dev.tern.netty.RawPeer.PRIORITY;
import static dev.tern.netty.RawPeer.RST_STREAM;
import static dev.tern.netty.RawPeer.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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

  private static RawPeer.Frame goAway(RawPeer peer) throws InterruptedException {
    RawPeer.Frame f = peer.awaitGoAway();
    assertNotNull(f, "no GOAWAY");
    return f;
  }

  // ---------------------------------------------------------------- stream limits

  @Test
  void streamsBeyondMaxConcurrentStreamsAreRefusedBeforeSettingsAck() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      // Preface and SETTINGS, but never a SETTINGS ACK: the limit must hold from the first frame.
      peer.handshake();
      Http2Headers request = RawPeer.grpcRequest(UNARY);
      duringAttack(() -> {
        for (int i = 0; i < TernServer.DEFAULT_MAX_CONCURRENT_STREAMS + 1; i++) {
          peer.headers(1 + 2 * i, request, false);
        }
      });
      int refusedId = 1 + 2 * TernServer.DEFAULT_MAX_CONCURRENT_STREAMS;
      RawPeer.Frame rst = peer.await(f -> f.type == RST_STREAM, 20, TimeUnit.SECONDS);
      assertNotNull(rst, "no RST_STREAM");
      assertEquals(refusedId, rst.streamId);
      assertEquals(Http2Error.REFUSED_STREAM.code(), rst.errorCode());
      // The other streams are unharmed: the first one completes normally.
      peer.data(1, RawPeer.grpcMessage("first"), true);
      RawPeer.Frame trailers = peer.await(
          f -> f.type == HEADERS && f.streamId == 1 && (f.flags & END_STREAM) != 0,
          20, TimeUnit.SECONDS);
      assertNotNull(trailers);
      assertEquals("0", trailers.headers.get("grpc-status").toString());
    }
    assertServing();
  }

  // ---------------------------------------------------------------- resets

  @Test
  void rapidResetGetsEnhanceYourCalm() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      Http2Headers request = RawPeer.grpcRequest(UNARY);
      duringAttack(() -> {
        // CVE-2023-44487: open and cancel streams as fast as possible.
        int id = 1;
        try {
          for (int i = 0; i < TernServer.DEFAULT_MAX_RST_FRAMES + 10; i++, id += 2) {
            peer.headers(id, request, false);
            peer.rst(id, Http2Error.CANCEL.code());
          }
        } catch (IOException closedByServer) {
          // Expected once the server gives up on us.
        }
      });
      RawPeer.Frame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
      assertTrue(peer.awaitClosed(20, TimeUnit.SECONDS));
    }
    assertServing();
  }

  @Test
  void madeYouResetGetsEnhanceYourCalm() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      Http2Headers request = RawPeer.grpcRequest(UNARY);
      duringAttack(() -> {
        // CVE-2025-8671: frames that make the server reset the stream itself (here a
        // WINDOW_UPDATE of 0, a stream error of type PROTOCOL_ERROR, RFC 9113 §6.9).
        int id = 1;
        try {
          for (int i = 0; i < TernServer.DEFAULT_MAX_PROVOKED_RST_FRAMES + 10; i++, id += 2) {
            peer.headers(id, request, false);
            peer.windowUpdate(id, 0);
          }
        } catch (IOException closedByServer) {
          // Expected once the server gives up on us.
        }
      });
      RawPeer.Frame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    }
    assertServing();
  }

  // ---------------------------------------------------------------- header blocks

  @Test
  void continuationFloodOfEmptyFramesGetsGoAway() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      byte[] block = peer.encode(RawPeer.grpcRequest(UNARY));
      duringAttack(() -> {
        // HEADERS without END_HEADERS, then zero-length CONTINUATION frames forever.
        peer.frame(HEADERS, 0, 1, block);
        try {
          for (int i = 0; i < 100_000; i++) {
            peer.frame(CONTINUATION, 0, 1, new byte[0]);
          }
        } catch (IOException closedByServer) {
          // Expected.
        }
      });
      RawPeer.Frame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    }
    assertServing();
  }

  @Test
  void headerBlockGrowingPastTheLimitGetsGoAway() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      byte[] block = peer.encode(RawPeer.grpcRequest(UNARY));
      duringAttack(() -> {
        peer.frame(HEADERS, 0, 1, block);
        // Large CONTINUATION frames of junk: the block is capped as it accumulates.
        byte[] junk = new byte[12 * 1024];
        try {
          for (int i = 0; i < 1000; i++) {
            peer.frame(CONTINUATION, 0, 1, junk);
          }
        } catch (IOException closedByServer) {
          // Expected.
        }
      });
      RawPeer.Frame goAway = goAway(peer);
      assertEquals(Http2Error.PROTOCOL_ERROR.code(), goAway.errorCode());
    }
    assertServing();
  }

  @Test
  void headerListJustOverTheLimitFailsOnlyThatStream() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      Http2Headers big = RawPeer.grpcRequest(UNARY)
          .add("x-big", "v".repeat(TernServer.DEFAULT_MAX_HEADER_LIST_SIZE));
      duringAttack(() -> peer.headers(1, big, true));
      RawPeer.Frame answer = peer.await(f -> f.streamId == 1 && f.type == HEADERS, 20,
          TimeUnit.SECONDS);
      assertNotNull(answer);
      assertEquals(String.valueOf(Status.Code.RESOURCE_EXHAUSTED.value()),
          answer.headers.get("grpc-status").toString(), answer::toString);
      // The connection and its HPACK state are fine: the next request on it succeeds.
      assertUnaryWorks(peer, 3);
    }
    assertServing();
  }

  @Test
  void hpackBombFailsOnlyThatStreamAndKeepsHpackInSync() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      // A 4000-byte value added to the dynamic table (RFC 7541 §6.2.1), then referenced by a
      // one-byte index 2000 times: 8 MB decoded from 6 KB on the wire.
      block.write(0x40);
      RawPeer.hpackString(block, "x-bomb");
      RawPeer.hpackString(block, "b".repeat(4000));
      RawPeer.hpackLiteral(block, ":method", "POST");
      RawPeer.hpackLiteral(block, ":scheme", "http");
      RawPeer.hpackLiteral(block, ":path", UNARY);
      RawPeer.hpackLiteral(block, "content-type", "application/grpc");
      for (int i = 0; i < 2000; i++) {
        block.write(0x80 | 62); // Indexed: the first dynamic-table entry.
      }
      duringAttack(() -> peer.frame(HEADERS, END_HEADERS | END_STREAM, 1, block.toByteArray()));
      RawPeer.Frame answer = peer.await(f -> f.streamId == 1 && f.type == HEADERS, 20,
          TimeUnit.SECONDS);
      assertNotNull(answer);
      assertEquals(String.valueOf(Status.Code.RESOURCE_EXHAUSTED.value()),
          answer.headers.get("grpc-status").toString(), answer::toString);
      // The bomb's table entry was kept: a request that references it decodes correctly.
      ByteArrayOutputStream next = new ByteArrayOutputStream();
      RawPeer.hpackLiteral(next, ":method", "POST");
      RawPeer.hpackLiteral(next, ":scheme", "http");
      RawPeer.hpackLiteral(next, ":path", UNARY);
      RawPeer.hpackLiteral(next, "content-type", "application/grpc");
      next.write(0x80 | 62);
      peer.frame(HEADERS, END_HEADERS, 3, next.toByteArray());
      peer.data(3, RawPeer.grpcMessage("after the bomb"), true);
      RawPeer.Frame trailers = peer.await(
          f -> f.type == HEADERS && f.streamId == 3 && (f.flags & END_STREAM) != 0,
          20, TimeUnit.SECONDS);
      assertNotNull(trailers);
      assertEquals("0", trailers.headers.get("grpc-status").toString(), trailers::toString);
    }
    assertServing();
  }

  // ---------------------------------------------------------------- control frames

  @Test
  void settingsFloodFromPeerThatDoesNotReadIsClosed() throws Exception {
    try (RawPeer peer = RawPeer.connectWithoutReading(server.port())) {
      peer.handshake();
      // Let the server send as much as it likes (SETTINGS_INITIAL_WINDOW_SIZE = 2^31-1)...
      peer.frame(SETTINGS, 0, 0,
          ByteBuffer.allocate(6).putShort((short) 4).putInt(Integer.MAX_VALUE).array());
      peer.frame(SETTINGS, RawPeer.ACK, 0, new byte[0]);
      peer.windowUpdate(0, Integer.MAX_VALUE - 65_535);
      // ...ask for 16 echoes of 900 KB that are never read, so the socket buffers fill up...
      byte[] message = RawPeer.grpcMessage("x".repeat(900 * 1024));
      for (int i = 0; i < 16; i++) {
        int id = 1 + 2 * i;
        peer.headers(id, RawPeer.grpcRequest(UNARY), false);
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
        System.arraycopy(RawPeer.frameBytes(SETTINGS, 0, 0, new byte[0]), 0, burst, i * 9, 9);
      }
      CompletableFuture<Boolean> closedByServer = new CompletableFuture<>();
      duringAttack(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
          while (System.nanoTime() < deadline) {
            peer.write(burst);
          }
          closedByServer.complete(false);
        } catch (IOException e) {
          closedByServer.complete(true);
        }
      });
      assertTrue(closedByServer.get(), "the server kept the connection");
    }
    assertServing();
  }

  @Test
  void pingFloodGetsTooManyPings() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      duringAttack(() -> {
        try {
          for (int i = 0; i < 10; i++) {
            peer.ping(i);
          }
        } catch (IOException closedByServer) {
          // Expected.
        }
      });
      RawPeer.Frame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
      assertEquals("too_many_pings", goAway.debugData());
    }
    assertServing();
  }

  @Test
  void emptyDataFloodIsClosed() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      peer.headers(1, RawPeer.grpcRequest(UNARY), false);
      duringAttack(() -> {
        try {
          for (int i = 0; i < 1000; i++) {
            peer.frame(DATA, 0, 1, new byte[0]);
          }
        } catch (IOException closedByServer) {
          // Expected.
        }
      });
      RawPeer.Frame goAway = goAway(peer);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    }
    assertServing();
  }

  @Test
  void priorityFloodIsIgnoredCheaply() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.handshakeAndAck();
      byte[] burst = new byte[14 * 1000];
      duringAttack(() -> {
        // PRIORITY for ever new (idle) streams, each depending on the previous: a dependency
        // tree would grow without bound; a server ignoring PRIORITY pays nothing.
        int id = 1;
        for (int round = 0; round < 100; round++) {
          for (int i = 0; i < 1000; i++, id += 2) {
            ByteBuffer payload = ByteBuffer.allocate(5).putInt(Math.max(0, id - 2)).put((byte) 15);
            System.arraycopy(RawPeer.frameBytes(PRIORITY, 0, id, payload.array()), 0, burst,
                i * 14, 14);
          }
          peer.write(burst);
        }
      });
      // No error: the connection still serves a request on a fresh stream id.
      peer.ping(42);
      assertNotNull(peer.await(f -> f.type == RawPeer.PING && f.isAck(), 20, TimeUnit.SECONDS));
      assertNull(peer.await(f -> f.type == GOAWAY, 100, TimeUnit.MILLISECONDS));
      assertUnaryWorks(peer, 200_001);
    }
    assertServing();
  }

  /** A complete unary call on the raw connection. */
  static void assertUnaryWorks(RawPeer peer, int streamId) throws Exception {
    peer.headers(streamId, RawPeer.grpcRequest(UNARY), false);
    peer.data(streamId, RawPeer.grpcMessage("ok"), true);
    RawPeer.Frame trailers = peer.await(
        f -> f.type == HEADERS && f.streamId == streamId && (f.flags & END_STREAM) != 0,
        20, TimeUnit.SECONDS);
    assertNotNull(trailers, "no response on stream " + streamId);
    assertEquals("0", trailers.headers.get("grpc-status").toString(), trailers::toString);
  }
}
