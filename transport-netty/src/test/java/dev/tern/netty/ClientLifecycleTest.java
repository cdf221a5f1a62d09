package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.ConnectivityState;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import dev.tern.testing.RawHttp2Server;
import io.netty.handler.codec.http2.Http2Error;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client's connection lifecycle: connectivity states and their listener, fail-fast and
 * wait-for-ready calls, transparent retry of streams the server never processed, keepalive.
 */
class ClientLifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String UNARY = "/tern.test.Echo/Unary";

  private static TernChannel channel(int port) {
    return TernChannel.builder().target("127.0.0.1:" + port).build();
  }

  /** A port nothing listens on (until a test binds it). */
  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static CallResult<String> start(TernChannel channel, CallOptions options,
      String request) {
    CallResult<String> result = new CallResult<>();
    ClientCall<String, String> call = channel.newCall(TestMethods.UNARY, options);
    call.start(result, new Metadata());
    call.request(2);
    call.sendMessage(request);
    call.halfClose();
    return result;
  }

  /** Waits until the channel leaves {@code from}; returns the new state. */
  private static ConnectivityState awaitChange(TernChannel channel, ConnectivityState from)
      throws Exception {
    CountDownLatch changed = new CountDownLatch(1);
    channel.notifyWhenStateChanged(from, changed::countDown);
    assertTrue(changed.await(20, TimeUnit.SECONDS), "still " + from);
    return channel.getState(false);
  }

  private static void awaitState(TernChannel channel, ConnectivityState wanted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ConnectivityState s = channel.getState(false);
    while (s != wanted) {
      assertTrue(System.nanoTime() < deadline, "never reached " + wanted + ", now " + s);
      s = awaitChange(channel, s);
    }
  }

  // ---------------------------------------------------------------- connectivity states

  @Test
  void channelStartsIdleAndConnectsOnTheFirstCall() throws Exception {
    TernServer server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .build().start();
    TernChannel channel = channel(server.port());
    try {
      assertEquals(ConnectivityState.IDLE, channel.getState(false));
      CountDownLatch leftIdle = new CountDownLatch(1);
      channel.notifyWhenStateChanged(ConnectivityState.IDLE, leftIdle::countDown);
      CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "hi", new Metadata());
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
      assertTrue(leftIdle.await(20, TimeUnit.SECONDS));
      assertEquals(ConnectivityState.READY, channel.getState(false));
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void getStateTrueConnectsWithoutACall() throws Exception {
    TernServer server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .build().start();
    TernChannel channel = channel(server.port());
    try {
      channel.getState(true);
      awaitState(channel, ConnectivityState.READY);
      assertEquals(1, server.connectionCount());
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void failedConnectGivesTransientFailureAndFailFastCallsFail() throws Exception {
    TernChannel channel = channel(freePort());
    try {
      CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "x", new Metadata());
      assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
      // TRANSIENT_FAILURE, or already CONNECTING again once the 1 s backoff passed.
      ConnectivityState s = channel.getState(false);
      assertTrue(s == ConnectivityState.TRANSIENT_FAILURE || s == ConnectivityState.CONNECTING,
          s::toString);
      // A fail-fast call fails with the attempt (at once in TRANSIENT_FAILURE).
      CallResult<String> again = CallResult.unary(channel, TestMethods.UNARY, "y",
          new Metadata());
      assertEquals(Status.Code.UNAVAILABLE, again.status.getCode());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void waitForReadyCallWaitsThroughTransientFailureForTheServer() throws Exception {
    int port = freePort();
    TernChannel channel = channel(port);
    TernServer server = null;
    try {
      CallResult<String> r = start(channel,
          CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(30, TimeUnit.SECONDS),
          "patience");
      awaitState(channel, ConnectivityState.TRANSIENT_FAILURE);
      server = TernServer.builder().port(port).addService(TestMethods.echoService()).build()
          .start();
      r.await();
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
      assertEquals(List.of("patience"), r.messages);
      assertEquals(ConnectivityState.READY, channel.getState(false));
    } finally {
      channel.shutdownNow();
      if (server != null) {
        server.shutdownNow();
      }
    }
  }

  @Test
  void goAwayMovesTheChannelToIdleAndTheNextCallUsesANewConnection() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = channel(raw.port());
      try {
        CallResult<String> first = start(channel, CallOptions.DEFAULT, "one");
        RawHttp2Connection conn = raw.accept();
        answer(conn, conn.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT).streamId());
        first.await();
        assertEquals(Status.Code.OK, first.status.getCode(), first.status::toString);

        conn.goAway(Http2Error.NO_ERROR, "bye");
        awaitState(channel, ConnectivityState.IDLE);
        CallResult<String> second = start(channel, CallOptions.DEFAULT, "two");
        RawHttp2Connection fresh = raw.accept();
        answer(fresh, fresh.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT).streamId());
        second.await();
        assertEquals(Status.Code.OK, second.status.getCode(), second.status::toString);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void shutdownFailsWaitingCallsAndEndsInShutdown() throws Exception {
    TernChannel channel = channel(freePort());
    CallResult<String> waiting = start(channel, CallOptions.DEFAULT.withWaitForReady(), "x");
    awaitState(channel, ConnectivityState.TRANSIENT_FAILURE);
    channel.shutdown();
    waiting.await();
    assertEquals(Status.Code.UNAVAILABLE, waiting.status.getCode(), waiting.status::toString);
    assertEquals(ConnectivityState.SHUTDOWN, channel.getState(true));
    assertTrue(channel.awaitTermination(20, TimeUnit.SECONDS));
    CallResult<String> after = CallResult.unary(channel, TestMethods.UNARY, "y", new Metadata());
    assertEquals(Status.Code.UNAVAILABLE, after.status.getCode());
  }

  // ---------------------------------------------------------------- transparent retry

  /** Waits for the end of a unary request on {@code streamId}, then answers it. */
  private static void answer(RawHttp2Connection conn, int streamId) {
    conn.take(f -> f.type() == RawFrame.Type.DATA && f.streamId() == streamId
        && f.isEndStream(), WAIT);
    respond(conn, streamId);
  }

  /** Answers {@code streamId} with one message and OK. */
  private static void respond(RawHttp2Connection conn, int streamId) {
    conn.headers(streamId, GrpcWire.responseHeaders(), false);
    conn.data(streamId, GrpcWire.lengthPrefixed("answer".getBytes(StandardCharsets.UTF_8)),
        false);
    conn.headers(streamId, GrpcWire.trailers(0, null), true);
  }

  @Test
  void refusedStreamIsRetriedTransparentlyWithItsMessages() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = channel(raw.port());
      try {
        CallResult<String> r = start(channel, CallOptions.DEFAULT, "replay me");
        RawHttp2Connection conn = raw.accept();
        RawFrame first = conn.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT);
        conn.rstStream(first.streamId(), Http2Error.REFUSED_STREAM);
        RawFrame second = conn.take(f -> f.type() == RawFrame.Type.HEADERS
            && f.streamId() != first.streamId(), WAIT);
        // The replayed message and the half-close (Netty may send them as one DATA frame).
        RawFrame data = conn.take(f -> f.type() == RawFrame.Type.DATA
            && f.streamId() == second.streamId() && f.payload().length > 0, WAIT);
        assertEquals("replay me", new String(GrpcWire.messages(data.payload()).get(0),
            StandardCharsets.UTF_8));
        if (!data.isEndStream()) {
          conn.take(f -> f.type() == RawFrame.Type.DATA && f.streamId() == second.streamId()
              && f.isEndStream(), WAIT);
        }
        respond(conn, second.streamId());
        r.await();
        assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
        assertEquals(List.of("answer"), r.messages);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void streamAboveGoAwayLastStreamIdIsRetriedOnANewConnection() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = channel(raw.port());
      try {
        CallResult<String> r = start(channel, CallOptions.DEFAULT, "again");
        RawHttp2Connection conn = raw.accept();
        conn.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT);
        // GOAWAY with last-stream-id 0: the stream was not processed (RFC 9113 §6.8).
        conn.writeRaw(RawHttp2Connection.frameBytes(0x7, 0, 0,
            ByteBuffer.allocate(8).putInt(0).putInt(0).array()));
        RawHttp2Connection fresh = raw.accept();
        answer(fresh, fresh.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT).streamId());
        r.await();
        assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void callThatReceivedHeadersIsNotRetried() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = channel(raw.port());
      try {
        CallResult<String> r = start(channel, CallOptions.DEFAULT, "once");
        RawHttp2Connection conn = raw.accept();
        int id = conn.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT).streamId();
        conn.headers(id, GrpcWire.responseHeaders(), false);
        conn.rstStream(id, Http2Error.REFUSED_STREAM);
        r.await();
        assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
        // No second attempt reached the server.
        assertEquals(null, conn.poll(f -> f.type() == RawFrame.Type.HEADERS
            && f.streamId() != id));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void invalidPercentEncodingInGrpcMessageFailsOnlyThatCall() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = channel(raw.port());
      try {
        CallResult<String> r = start(channel, CallOptions.DEFAULT, "x");
        RawHttp2Connection conn = raw.accept();
        int id = conn.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT).streamId();
        // Malformed escapes are kept as they are (PROTOCOL-HTTP2.md asks receivers to be
        // lenient); the call gets the server's status.
        conn.headers(id, GrpcWire.trailersOnly(2, "bad %zz and %4"), true);
        r.await();
        assertEquals(Status.Code.UNKNOWN, r.status.getCode(), r.status::toString);
        assertEquals("bad %zz and %4", r.status.getDescription());
        // The connection is fine: the next call uses it.
        CallResult<String> next = start(channel, CallOptions.DEFAULT, "y");
        answer(conn, conn.take(f -> f.type() == RawFrame.Type.HEADERS && f.streamId() > id,
            WAIT).streamId());
        next.await();
        assertEquals(Status.Code.OK, next.status.getCode(), next.status::toString);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------- keepalive

  @Test
  void keepAliveClosesAConnectionWhosePeerStoppedAnswering() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> silent = CompletableFuture.runAsync(() -> {
        try (Socket s = listener.accept()) {
          OutputStream out = s.getOutputStream();
          // An HTTP/2 server that sends its SETTINGS and then never another byte.
          out.write(RawHttp2Connection.frameBytes(0x4, 0, 0, new byte[0]));
          out.flush();
          InputStream in = s.getInputStream();
          while (in.read(new byte[4096]) >= 0) {
            // Swallow everything.
          }
        } catch (java.io.IOException e) {
          // Closed by the client.
        }
      });
      TernChannel channel = TernChannel.builder().target("127.0.0.1:" + listener.getLocalPort())
          .keepAliveTimeNanosForTest(TimeUnit.MILLISECONDS.toNanos(200))
          .keepAliveTimeout(300, TimeUnit.MILLISECONDS)
          .build();
      try {
        CallResult<String> r = start(channel, CallOptions.DEFAULT, "anyone?");
        r.await();
        assertEquals(Status.Code.UNAVAILABLE, r.status.getCode(), r.status::toString);
        assertTrue(r.status.getDescription().contains("Keepalive"), r.status::toString);
        silent.get(20, TimeUnit.SECONDS);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void tooManyPingsDoublesTheKeepAliveTime() throws Exception {
    // The server's default policy: PINGs without calls are acceptable every 2 hours only.
    TernServer server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .build().start();
    long initial = TimeUnit.MILLISECONDS.toNanos(50);
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .keepAliveTimeNanosForTest(initial)
        .keepAliveWithoutCalls(true)
        .build();
    try {
      channel.getState(true);
      awaitState(channel, ConnectivityState.READY);
      // The third early PING gets GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings").
      awaitState(channel, ConnectivityState.IDLE);
      assertEquals(2 * initial, channel.keepAliveTimeNanos());
      // The channel still works (on a new connection).
      CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "calm", new Metadata());
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void keepAlivePingsWithinThePolicyKeepTheConnection() throws Exception {
    TernServer server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .permitKeepAliveTime(100, TimeUnit.MILLISECONDS).permitKeepAliveWithoutCalls(true)
        .build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .keepAliveTimeNanosForTest(TimeUnit.MILLISECONDS.toNanos(150))
        .keepAliveTimeout(5, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        .build();
    try {
      channel.getState(true);
      awaitState(channel, ConnectivityState.READY);
      // Several keepalive rounds: the connection stays READY.
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(ConnectivityState.READY, changed::countDown);
      assertTrue(!changed.await(1, TimeUnit.SECONDS), "left READY: " + channel.getState(false));
      assertEquals(1, server.connectionCount());
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }
}
