package dev.tern.netty.internal;

import static dev.tern.netty.internal.EmbeddedFixtures.advance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Deadline;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client call's state machine ({@link ClientCallImpl} over {@link RetriableCall} and
 * {@link ClientAttempt}) on EmbeddedChannel connections facing a scripted server: every frame and
 * every timer is a step the test takes, so each test is one named interleaving of the
 * application, the server and the clock. Listener callbacks run on the event loop (no executor),
 * that is, on the test thread, in the order the test causes them.
 */
class ClientCallTest {
  private static final Marshaller<String> UTF8 = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };
  private static final MethodDescriptor<String, String> ECHO =
      MethodDescriptor.newBuilder(UTF8, UTF8).setFullMethodName("test.Echo/Echo")
          .setType(MethodDescriptor.MethodType.UNARY).build();

  /**
   * The stream id of a connection's first call, as ClientHandler allocates them (Netty's
   * {@code incrementAndGetNextStreamId} starts a client at 3); the next call's is 5.
   */
  private static final int FIRST = 3;
  private static final int SECOND = 5;

  private final MockTicker ticker = Ticker.newMockTicker();
  /** The calls' scheduler (deadlines, retry backoff) and the manager's timers. */
  private final EmbeddedChannel timers = EmbeddedChannel.builder().ticker(ticker).build();
  private final List<Connection> connections = new ArrayList<>();
  private final ClientSettings settings = EmbeddedFixtures.clientSettings();
  /** What the next connection's server announces. */
  private Http2Settings serverSettings = Http2Settings.defaultSettings();
  private final ClientConnectionManager manager = new ClientConnectionManager(settings, false,
      (handler, timeoutMillis, setup) -> {
        Connection c = new Connection(EmbeddedFixtures.channel(ticker, handler),
            RawHttp2Connection.embedded(true, serverSettings, ticker));
        connections.add(c);
        return c.channel;
      }, timers.eventLoop(), Runnable::run, "test-target",
      new ClientConnectionManager.KeepAlive(Long.MAX_VALUE, 0, false),
      new ConnectionBackoff(() -> 0.5));
  /** What the listener of the next call started hears. */
  private List<String> events = new ArrayList<>();

  /** One connection: the client's channel and the scripted server at its other end. */
  private record Connection(EmbeddedChannel channel, RawHttp2Connection server) {}

  @AfterEach
  void tearDown() {
    manager.shutdown(true);
    pump();
    for (Connection c : connections) {
      c.server.close();
      c.channel.finishAndReleaseAll();
    }
    timers.finishAndReleaseAll();
  }

  /** Moves every byte and runs every due task until nothing more happens. */
  private void pump() {
    int seen;
    do {
      seen = connections.size();
      timers.runPendingTasks();
      for (int i = 0; i < connections.size(); i++) {
        Connection c = connections.get(i);
        c.server.exchange(c.channel);
      }
    } while (seen != connections.size());
  }

  private Connection connection(int i) {
    return connections.get(i);
  }

  private ClientCall<String, String> startCall(CallOptions options, int requests) {
    ClientCall<String, String> call = new ClientCallImpl<>(ECHO, options, settings, manager,
        timers.eventLoop());
    List<String> log = events;
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata headers) {
        log.add("headers");
      }

      @Override
      public void onMessage(String message) {
        log.add("message:" + message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        log.add("close:" + status.getCode()
            + (status.getDescription() == null ? "" : ":" + status.getDescription()));
      }
    }, new Metadata());
    if (requests > 0) {
      call.request(requests);
    }
    return call;
  }

  /** A unary request sent and half-closed; returns the call once its HEADERS reached the server. */
  private ClientCall<String, String> unary(CallOptions options, int requests, String request) {
    ClientCall<String, String> call = startCall(options, requests);
    call.sendMessage(request);
    call.halfClose();
    pump();
    return call;
  }

  /** The server's view of the request on stream {@code id} of connection {@code conn}. */
  private void assertRequest(Connection conn, int id, String message) {
    RawFrame headers = conn.server.poll(f -> f.type() == RawFrame.Type.HEADERS
        && f.streamId() == id);
    assertNotNull(headers, "no HEADERS on stream " + id + "; unread " + conn.server.unread());
    assertEquals("/test.Echo/Echo", headers.headers().path().toString());
    RawFrame data = conn.server.poll(f -> f.type() == RawFrame.Type.DATA && f.streamId() == id);
    assertNotNull(data, "no DATA on stream " + id);
    assertArrayEquals(GrpcWire.lengthPrefixed(message), data.payload());
    assertTrue(data.isEndStream(), "half-closed with the message");
  }

  private static void respond(Connection conn, int id, String message) {
    conn.server.headers(id, GrpcWire.responseHeaders(), false);
    conn.server.data(id, GrpcWire.lengthPrefixed(message), false);
    conn.server.headers(id, GrpcWire.trailers(0, null), true);
  }

  private RawFrame reset(Connection conn, int id) {
    return conn.server.poll(f -> f.type() == RawFrame.Type.RST_STREAM && f.streamId() == id);
  }

  // ---------------------------------------------------------------- the request's end

  /** The DATA frames the server received on stream {@code id}, in order. */
  private static List<RawFrame> dataFrames(Connection conn, int id) {
    return conn.server.takeAll().stream()
        .filter(f -> f.type() == RawFrame.Type.DATA && f.streamId() == id).toList();
  }

  @Test
  void halfCloseWhileTheMessageIsStillQueued_oneDataFrameCarriesMessageAndEndStream() {
    unary(CallOptions.DEFAULT, 1, "ping"); // sendMessage and halfClose before the loop runs
    List<RawFrame> data = dataFrames(connection(0), FIRST);
    assertEquals(1, data.size(), data::toString);
    assertArrayEquals(GrpcWire.lengthPrefixed("ping"), data.get(0).payload());
    assertTrue(data.get(0).isEndStream());
  }

  @Test
  void halfCloseAfterTheMessageLeft_anEmptyDataFrameEndsTheStream() {
    ClientCall<String, String> call = startCall(CallOptions.DEFAULT, 1);
    call.sendMessage("ping");
    pump();
    call.halfClose();
    pump();
    List<RawFrame> data = dataFrames(connection(0), FIRST);
    assertEquals(2, data.size(), data::toString);
    assertArrayEquals(GrpcWire.lengthPrefixed("ping"), data.get(0).payload());
    assertFalse(data.get(0).isEndStream());
    assertEquals(0, data.get(1).payload().length);
    assertTrue(data.get(1).isEndStream());
    respond(connection(0), FIRST, "pong");
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), events);
  }

  // ---------------------------------------------------------------- responses

  @Test
  void requestSent_serverAnswersHeadersMessageTrailers_listenerHearsEachOnceInOrder() {
    unary(CallOptions.DEFAULT, 1, "ping");
    assertEquals(1, connections.size());
    assertRequest(connection(0), FIRST, "ping");
    respond(connection(0), FIRST, "pong");
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), events);
  }

  @Test
  void serverAnswersTrailersOnly_listenerHearsCloseWithoutHeaders() {
    unary(CallOptions.DEFAULT, 1, "ping");
    connection(0).server.headers(FIRST, GrpcWire.trailersOnly(5, "nope"), true);
    pump();
    assertEquals(List.of("close:NOT_FOUND:nope"), events);
  }

  @Test
  void trailersArriveBeforeTheAppRequests_messageHeld_thenMessageAndCloseOnRequest() {
    ClientCall<String, String> call = unary(CallOptions.DEFAULT, 0, "ping");
    respond(connection(0), FIRST, "pong");
    pump();
    assertEquals(List.of("headers"), events, "no message requested: the status waits too");
    call.request(1);
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), events);
  }

  @Test
  void requestOnTheLoopFindsABufferedMessage_deliveredByTheLoopNotFromInsideRequest() {
    ClientCall<String, String> call = unary(CallOptions.DEFAULT, 0, "ping");
    respond(connection(0), FIRST, "pong");
    pump();
    // The test thread is the event loop. Handing the message out from inside request() would
    // call the listener under the call's own monitors (and nested in whatever callback asked).
    call.request(1);
    assertEquals(List.of("headers"), events, "nothing delivered from inside request()");
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), events);
  }

  // ------------------------------------------------- reading ahead: when taken messages report

  private static final MethodDescriptor<String, String> STREAM =
      MethodDescriptor.newBuilder(UTF8, UTF8).setFullMethodName("test.Echo/Stream")
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING).build();

  /**
   * A bidi call whose listener runs on {@code callbacks} (so the response is read ahead into its
   * inbox) and asks for one more message after each; the server got a message (the request stays
   * open: the stream lives on after the server's trailers) and sent the response headers.
   */
  private ClientCall<String, String> streamOnExecutor(List<Runnable> callbacks) {
    ClientCall<String, String> call = new ClientCallImpl<>(STREAM,
        CallOptions.DEFAULT.withExecutor(callbacks::add), settings, manager, timers.eventLoop());
    List<String> log = events;
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        log.add("message");
        call.request(1);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        log.add("close:" + status.getCode());
      }
    }, new Metadata());
    call.sendMessage("go");
    pump();
    connection(0).server.headers(FIRST, GrpcWire.responseHeaders(), false);
    return call;
  }

  /** Runs the listener's callbacks, as its executor would, until none is left. */
  private static void runCallbacks(List<Runnable> callbacks) {
    while (!callbacks.isEmpty()) {
      callbacks.remove(0).run();
    }
  }

  /**
   * The loop has run everything due (its write queue idle); then the application asks for a
   * message and takes what arrived, one after another.
   */
  private void takeAll(ClientCall<String, String> call, List<Runnable> callbacks) {
    pump();
    connection(0).channel.runPendingTasks();
    assertFalse(writeQueue().waitsForWakeUp());
    call.request(1);
    runCallbacks(callbacks);
  }

  private WriteQueue writeQueue() {
    return connection(0).channel.pipeline().get(ClientHandler.class).writeQueue();
  }

  @Test
  void messageTakenWithTheWindowWideOpen_itsReportWaitsForTheLoopsNextWakeUp() {
    List<Runnable> callbacks = new ArrayList<>();
    ClientCall<String, String> call = streamOnExecutor(callbacks);
    connection(0).server.data(FIRST, GrpcWire.lengthPrefixed("one"), false);
    takeAll(call, callbacks);
    assertEquals(List.of("message"), events);
    // The server can still send almost a whole window, and what it sends wakes the loop.
    assertTrue(writeQueue().waitsForWakeUp(), "the credit rides the next wake-up");
  }

  @Test
  void messagesTakenAfterTheServerNearlySpentTheWindow_theirCreditGoesBackAtOnce() {
    List<Runnable> callbacks = new ArrayList<>();
    ClientCall<String, String> call = streamOnExecutor(callbacks);
    // 15 whole messages of 4,096 bytes on the wire leave the server 4 KiB of the 64 KiB window,
    // less than the floor: it may be waiting for credit and send nothing that would wake the
    // loop (RFC 9113 §6.9).
    String payload = "x".repeat(4096 - 5);
    int count = EmbeddedFixtures.WINDOW / 4096 - 1;
    for (int i = 0; i < count; i++) {
      connection(0).server.data(FIRST, GrpcWire.lengthPrefixed(payload), false);
    }
    takeAll(call, callbacks);
    assertEquals(count, events.size());
    assertFalse(writeQueue().waitsForWakeUp(), "the report wakes the loop");
    pump();
    RawFrame update = connection(0).server.poll(f -> f.type() == RawFrame.Type.WINDOW_UPDATE
        && f.streamId() == FIRST);
    assertNotNull(update, "the stream's window reopened");
  }

  @Test
  void lastMessageTakenAfterTheTrailersArrived_itsReportWakesTheLoopForTheStatus() {
    List<Runnable> callbacks = new ArrayList<>();
    ClientCall<String, String> call = streamOnExecutor(callbacks);
    connection(0).server.data(FIRST, GrpcWire.lengthPrefixed("one"), false);
    connection(0).server.headers(FIRST, GrpcWire.trailers(0, null), true);
    takeAll(call, callbacks);
    assertEquals(List.of("message"), events, "the status waits for the report");
    assertFalse(writeQueue().waitsForWakeUp(), "the report wakes the loop");
    pump();
    runCallbacks(callbacks);
    assertEquals(List.of("message", "close:OK"), events);
  }

  @Test
  void serverResetsWithCancel_listenerHearsCancelled() {
    unary(CallOptions.DEFAULT, 1, "ping");
    connection(0).server.headers(FIRST, GrpcWire.responseHeaders(), false);
    connection(0).server.rstStream(FIRST, Http2Error.CANCEL);
    pump();
    assertEquals("headers", events.get(0));
    assertEquals(2, events.size(), events::toString);
    assertTrue(events.get(1).startsWith("close:CANCELLED"), events::toString);
  }

  @Test
  void responseDataEndsStreamWithoutTrailers_internal_streamReset() {
    unary(CallOptions.DEFAULT, 1, "ping");
    connection(0).server.headers(FIRST, GrpcWire.responseHeaders(), false);
    connection(0).server.data(FIRST, GrpcWire.lengthPrefixed("pong"), true);
    pump();
    assertEquals("close:INTERNAL:Response ended without trailers", events.get(events.size() - 1));
  }

  // ---------------------------------------------------------------- cancellation races

  @Test
  void appCancelsBeforeTheConnectionIsReady_closeCancelled_noStreamEverOpened() {
    ClientCall<String, String> call = startCall(CallOptions.DEFAULT, 1);
    call.sendMessage("ping");
    call.cancel("changed my mind", null);
    assertEquals(List.of("close:CANCELLED:changed my mind"), events);
    pump();
    assertNull(connection(0).server.poll(f -> f.type() == RawFrame.Type.HEADERS));
    assertEquals(List.of("close:CANCELLED:changed my mind"), events);
  }

  @Test
  void appCancelsAfterRequestSent_closeCancelledOnce_serverSeesRstCancel() {
    ClientCall<String, String> call = unary(CallOptions.DEFAULT, 1, "ping");
    call.cancel("bye", null);
    pump();
    assertEquals(List.of("close:CANCELLED:bye"), events);
    RawFrame rst = reset(connection(0), FIRST);
    assertNotNull(rst, "unread " + connection(0).server.unread());
    assertEquals(Http2Error.CANCEL.code(), rst.errorCode());
    call.cancel("again", null);
    assertEquals(List.of("close:CANCELLED:bye"), events, "one outcome per call");
  }

  @Test
  void trailersDeliveredThenAppCancels_cancelChangesNothing_noReset() {
    ClientCall<String, String> call = unary(CallOptions.DEFAULT, 1, "ping");
    respond(connection(0), FIRST, "pong");
    pump();
    call.cancel("too late", null);
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), events);
    assertNull(reset(connection(0), FIRST));
  }

  @Test
  void trailersArriveButHeldForRequest_appCancels_closeCancelledWinsOverHeldOk() {
    ClientCall<String, String> call = unary(CallOptions.DEFAULT, 0, "ping");
    respond(connection(0), FIRST, "pong");
    pump();
    call.cancel("gave up", null);
    pump();
    assertEquals(List.of("headers", "close:CANCELLED:gave up"), events);
  }

  @Test
  void deadlinePassesBeforeTheResponse_deadlineExceeded_serverSeesRstCancel() {
    Deadline.Ticker clock = new Deadline.Ticker() {
      @Override
      public long nanoTime() {
        return ticker.nanoTime();
      }
    };
    unary(CallOptions.DEFAULT.withDeadline(Deadline.after(5, TimeUnit.SECONDS, clock)), 1,
        "ping");
    RawFrame headers = connection(0).server.poll(f -> f.type() == RawFrame.Type.HEADERS);
    assertEquals("5000000u", headers.header("grpc-timeout"), "the time left, as sent");
    advance(ticker, TimeUnit.SECONDS.toNanos(5) - 1, timers);
    pump();
    assertEquals(List.of(), events);
    advance(ticker, 1, timers);
    pump();
    assertEquals(1, events.size());
    assertTrue(events.get(0).startsWith("close:DEADLINE_EXCEEDED"), events::toString);
    assertNotNull(reset(connection(0), FIRST));
  }

  // ---------------------------------------------------------------- transparent retry

  @Test
  void serverRefusesStream_transparentRetryOnTheSameConnection_listenerHearsOneOutcome() {
    unary(CallOptions.DEFAULT, 1, "ping");
    assertRequest(connection(0), FIRST, "ping");
    // RFC 9113 §8.7: REFUSED_STREAM means not processed; gRFC A6 retries it transparently.
    connection(0).server.rstStream(FIRST, Http2Error.REFUSED_STREAM);
    pump();
    assertEquals(List.of(), events);
    assertEquals(1, connections.size());
    assertRequest(connection(0), SECOND, "ping"); // replayed from the retry buffer
    respond(connection(0), SECOND, "pong");
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), events);
  }

  @Test
  void goAwayBelowTheStream_transparentRetryOnANewConnection() {
    unary(CallOptions.DEFAULT, 1, "ping");
    // GOAWAY with last-stream-id 0, written past the server's codec: the stream was never
    // processed (RFC 9113 §6.8), and this connection takes no new streams.
    connection(0).server.writeRaw(RawHttp2Connection.frameBytes(Http2FrameTypes.GO_AWAY, 0, 0,
        ByteBuffer.allocate(8).putInt(0).putInt((int) Http2Error.NO_ERROR.code()).array()));
    pump();
    assertEquals(2, connections.size(), "a new connection for the retry");
    assertRequest(connection(1), FIRST, "ping");
    respond(connection(1), FIRST, "pong");
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), events);
  }

  @Test
  void connectionLostAfterResponseHeaders_unavailable_notRetried() {
    unary(CallOptions.DEFAULT, 1, "ping");
    connection(0).server.headers(FIRST, GrpcWire.responseHeaders(), false);
    pump();
    EmbeddedFixtures.loseConnection(connection(0).channel);
    pump();
    assertEquals(1, connections.size(), "the server may have processed it: no retry");
    assertEquals("headers", events.get(0));
    assertEquals(2, events.size(), events::toString);
    assertTrue(events.get(1).startsWith("close:UNAVAILABLE"), events::toString);
  }

  @Test
  void oneStreamSlot_secondCallQueued_connectionLost_queuedCallRetriedElsewhere_sentCallFails() {
    serverSettings = new Http2Settings().maxConcurrentStreams(1);
    List<String> first = events;
    unary(CallOptions.DEFAULT, 1, "one");
    List<String> second = new ArrayList<>();
    events = second;
    unary(CallOptions.DEFAULT, 1, "two");
    assertRequest(connection(0), FIRST, "one");
    assertNull(connection(0).server.poll(f -> f.streamId() == SECOND),
        "the second call waits for a stream slot (SETTINGS_MAX_CONCURRENT_STREAMS)");
    serverSettings = Http2Settings.defaultSettings();
    EmbeddedFixtures.loseConnection(connection(0).channel);
    pump();
    assertEquals(1, first.size(), first::toString);
    assertTrue(first.get(0).startsWith("close:UNAVAILABLE"), first::toString);
    assertEquals(List.of(), second, "never sent: retried transparently, not failed");
    assertEquals(2, connections.size());
    assertRequest(connection(1), FIRST, "two");
    respond(connection(1), FIRST, "pong");
    pump();
    assertEquals(List.of("headers", "message:pong", "close:OK"), second);
  }
}
