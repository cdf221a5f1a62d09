package dev.tern.netty.internal;

import static dev.tern.netty.internal.EmbeddedFixtures.advance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server call's state machine ({@link ServerCallImpl} in a {@link ServerHandler} on an
 * EmbeddedChannel) facing a scripted client, with callbacks on the event loop (no executor), that
 * is, on the test thread: each test is one named interleaving of the client's frames, the
 * handler's actions and the clock.
 */
class ServerCallTest {
  private static final String PATH = "/test.Echo/Echo";

  private final MockTicker ticker = Ticker.newMockTicker();
  private final List<String> events = new ArrayList<>();
  /** How many messages the handler requests when the call starts. */
  private int initialRequests = 1;
  /** Thrown by the handler's onMessage, if set. */
  private RuntimeException throwOnMessage;
  private ServerCall<String, String> call;
  private final EmbeddedChannel server = EmbeddedFixtures.channel(ticker,
      ServerHandler.create(ServerSettings.builder()
          .methodsByPath(Map.of(PATH, ServerMethodDefinition.create(
              MethodDescriptor.newBuilder(EmbeddedFixtures.UTF8, EmbeddedFixtures.UTF8).setFullMethodName(PATH.substring(1))
                  .setType(MethodDescriptor.MethodType.UNARY).build(),
              (c, headers) -> {
                call = c;
                events.add("start");
                if (initialRequests > 0) {
                  c.request(initialRequests);
                }
                return new ServerCall.Listener<>() {
                  @Override
                  public void onMessage(String message) {
                    events.add("message:" + message);
                    if (throwOnMessage != null) {
                      throw throwOnMessage;
                    }
                  }

                  @Override
                  public void onHalfClose() {
                    events.add("halfClose");
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
              })))
          .autoFlowControl(false).build()));
  private final RawHttp2Connection client = EmbeddedFixtures.rawClient(ticker);

  @AfterEach
  void tearDown() {
    client.close();
    server.finishAndReleaseAll();
  }

  /** The client sends a request (headers, one message, END_STREAM); returns its stream id. */
  private int request(Http2Headers headers, String message) {
    client.exchange(server);
    int id = client.newStream(headers, false);
    client.data(id, GrpcWire.lengthPrefixed(message), true);
    client.exchange(server);
    return id;
  }

  private int request(String message) {
    return request(GrpcWire.requestHeaders(PATH), message);
  }

  private List<RawFrame> framesOf(int id) {
    client.exchange(server);
    List<RawFrame> frames = new ArrayList<>();
    for (RawFrame f = client.poll(x -> x.streamId() == id); f != null;
        f = client.poll(x -> x.streamId() == id)) {
      frames.add(f);
    }
    return frames;
  }

  @Test
  void requestArrives_handlerHearsStartMessageHalfClose_answersHeadersMessageOk_complete() {
    int id = request("ping");
    assertEquals(List.of("start", "message:ping", "halfClose"), events);
    call.sendHeaders(new Metadata());
    call.sendMessage("pong");
    call.close(Status.OK, new Metadata());
    List<RawFrame> frames = framesOf(id);
    assertEquals(3, frames.size(), frames::toString);
    assertEquals("200", frames.get(0).headers().status().toString());
    assertArrayEquals(GrpcWire.lengthPrefixed("pong"), frames.get(1).payload());
    assertEquals("0", frames.get(2).header("grpc-status"));
    assertTrue(frames.get(2).isEndStream());
    assertEquals(List.of("start", "message:ping", "halfClose", "complete"), events);
  }

  @Test
  void handlerClosesWithoutHeaders_oneTrailersOnlyFrame() {
    int id = request("ping");
    call.close(Status.NOT_FOUND.withDescription("nope"), new Metadata());
    List<RawFrame> frames = framesOf(id);
    assertEquals(1, frames.size(), frames::toString);
    assertEquals("200", frames.get(0).headers().status().toString());
    assertEquals("5", frames.get(0).header("grpc-status"));
    assertEquals("nope", frames.get(0).header("grpc-message"));
    assertTrue(frames.get(0).isEndStream());
  }

  @Test
  void messageArrivesBeforeTheHandlerRequests_heldUntilRequested() {
    initialRequests = 0;
    request("ping");
    assertEquals(List.of("start"), events, "no message requested: nothing delivered");
    call.request(1);
    client.exchange(server);
    assertEquals(List.of("start", "message:ping", "halfClose"), events);
  }

  @Test
  void clientResetsBeforeTheAnswer_handlerHearsCancel_laterSendsWriteNothing() {
    int id = request("ping");
    client.rstStream(id, Http2Error.CANCEL);
    client.exchange(server);
    assertEquals(List.of("start", "message:ping", "halfClose", "cancel"), events);
    assertTrue(call.isCancelled());
    call.sendHeaders(new Metadata());
    call.sendMessage("too late");
    call.close(Status.OK, new Metadata());
    assertEquals(List.of(), framesOf(id));
    assertEquals(List.of("start", "message:ping", "halfClose", "cancel"), events,
        "no complete after cancel");
  }

  @Test
  void answerComplete_thenClientResets_handlerHearsNoCancel() {
    int id = request("ping");
    call.close(Status.OK, new Metadata());
    assertEquals(1, framesOf(id).size());
    assertEquals(List.of("start", "message:ping", "halfClose", "complete"), events);
    assertFalse(call.isCancelled());
  }

  @Test
  void requestEnded_grpcTimeoutPasses_handlerCancelled_clientGetsDeadlineExceededTrailersOnly() {
    int id = request(GrpcWire.requestHeaders(PATH).set("grpc-timeout", "1S"), "ping");
    // The server's deadline is on the event loop's clock (the mock ticker), as is its timer:
    // it fires exactly 1 s after the request arrived, not 1 ns sooner.
    advance(ticker, TimeUnit.SECONDS.toNanos(1) - 1, server);
    assertFalse(call.isCancelled());
    advance(ticker, 1, server);
    assertTrue(call.isCancelled());
    assertEquals("cancel", events.get(events.size() - 1));
    // Nothing was sent yet: the client hears the deadline as a Trailers-Only answer. Its request
    // had ended (END_STREAM), so the trailers close the stream and no reset is needed
    // (ServerCallStateTest covers the deadline of a request still open: trailers and a reset).
    List<RawFrame> frames = framesOf(id);
    assertEquals(List.of(RawFrame.Type.HEADERS), frames.stream().map(RawFrame::type).toList(),
        frames::toString);
    assertEquals("4", frames.get(0).header("grpc-status"));
    assertTrue(frames.get(0).isEndStream());
  }

  @Test
  void unknownMethod_trailersOnlyUnimplemented_noHandlerStarted() {
    int id = request(GrpcWire.requestHeaders("/test.Echo/Missing"), "ping");
    List<RawFrame> frames = framesOf(id);
    assertEquals("12", frames.get(0).header("grpc-status"), frames::toString);
    assertTrue(frames.get(0).isEndStream());
    assertEquals(List.of(), events);
    assertNull(call);
  }

  @Test
  void handlerThrowsInOnMessage_clientGetsInternal_withoutTheExceptionText() {
    throwOnMessage = new IllegalStateException("secret detail");
    int id = request("ping");
    List<RawFrame> frames = framesOf(id);
    RawFrame last = frames.get(frames.size() - 1);
    assertNotNull(last.header("grpc-status"), frames::toString);
    assertEquals("13", last.header("grpc-status"));
    String message = last.header("grpc-message");
    assertTrue(message == null || !message.contains("secret detail"), message);
  }

  @Test
  void headersWithMetadataThenErrorStatus_beforeTheLoopRuns_headersThenTrailersInOneBatch() {
    int id = request("ping");
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.ascii("x-first"), "1");
    call.sendHeaders(headers);
    call.close(Status.ABORTED.withDescription("late"), new Metadata());
    List<RawFrame> frames = framesOf(id);
    assertEquals(List.of(RawFrame.Type.HEADERS, RawFrame.Type.HEADERS),
        frames.stream().map(RawFrame::type).toList(), frames::toString);
    assertEquals("1", frames.get(0).header("x-first"));
    assertNull(frames.get(0).header("grpc-status"), "the headers are not a Trailers-Only answer");
    assertEquals("10", frames.get(1).header("grpc-status"));
    assertTrue(frames.get(1).isEndStream());
    assertEquals(List.of("start", "message:ping", "halfClose", "complete"), events);
  }

  @Test
  void twoMessagesAndOk_beforeTheLoopRuns_oneDataWriteBetweenHeadersAndTrailers() {
    int id = request("ping");
    call.sendMessage("one");
    call.sendMessage("two");
    call.close(Status.OK, new Metadata());
    List<RawFrame> frames = framesOf(id);
    assertEquals(List.of(RawFrame.Type.HEADERS, RawFrame.Type.DATA, RawFrame.Type.HEADERS),
        frames.stream().map(RawFrame::type).toList(), frames::toString);
    byte[] one = GrpcWire.lengthPrefixed("one");
    byte[] two = GrpcWire.lengthPrefixed("two");
    byte[] both = new byte[one.length + two.length];
    System.arraycopy(one, 0, both, 0, one.length);
    System.arraycopy(two, 0, both, one.length, two.length);
    assertArrayEquals(both, frames.get(1).payload(), "both messages in one DATA write");
    assertEquals("0", frames.get(2).header("grpc-status"));
    assertEquals(List.of("start", "message:ping", "halfClose", "complete"), events);
  }
}
