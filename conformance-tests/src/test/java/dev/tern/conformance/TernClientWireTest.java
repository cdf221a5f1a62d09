package dev.tern.conformance;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Deadline;
import dev.tern.netty.TernChannel;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import dev.tern.Status;
import dev.tern.netty.TernServer;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import dev.tern.testing.RawHttp2Server;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A Tern client seen frame by frame from a scripted HTTP/2 server: the exact request it sends,
 * and how it reads responses a grpc-java server would never produce (lenient grpc-message
 * decoding, HTTP errors from proxies, resets, missing trailers).
 */
class TernClientWireTest {
  private final TernPeer tern = new TernPeer();
  private RawHttp2Server server;
  private UnaryClient client;

  @BeforeEach
  void start() {
    server = RawHttp2Server.start();
    client = UnaryClient.tern(tern.newChannel(server.port(), b -> {}));
  }

  @AfterEach
  void stop() {
    tern.close();
    server.close();
  }

  /** A request as the scripted server received it. */
  private static final class Request {
    final RawHttp2Connection conn;
    final RawFrame headers;
    final byte[] data;

    Request(RawHttp2Connection conn, RawFrame headers, byte[] data) {
      this.conn = conn;
      this.headers = headers;
      this.data = data;
    }

    int id() {
      return headers.streamId();
    }
  }

  /** Waits for a request and reads it to its END_STREAM. */
  private Request receive() {
    RawHttp2Connection conn = server.accept();
    RawFrame headers = conn.take(f -> f.type() == RawFrame.Type.HEADERS,
        RawHttp2Connection.DEFAULT_TIMEOUT);
    List<byte[]> data = new ArrayList<>();
    boolean ended = headers.isEndStream();
    while (!ended) {
      RawFrame f = conn.nextFrame(headers.streamId());
      if (f.type() == RawFrame.Type.DATA) {
        data.add(f.payload());
      }
      ended = f.isEndStream();
    }
    return new Request(conn, headers, GrpcWire.concat(data));
  }

  private static UnaryOutcome await(CompletableFuture<UnaryOutcome> call) throws Exception {
    return call.get(30, TimeUnit.SECONDS);
  }

  @Test
  void requestIsTheSpecifiedHeadersThenOneLengthPrefixedMessage() throws Exception {
    MetadataList md = MetadataList.builder()
        .ascii("x-echo-ascii", "v")
        .binary("x-echo-data-bin", new byte[] {1})
        .build();
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "hello", md);

    Request r = receive();
    Map<String, String> h = TernServerWireTest.withoutAcceptEncoding(r.headers.headerMap());
    String userAgent = h.remove("user-agent");
    assertTrue(userAgent != null && userAgent.contains("tern-java/"), userAgent);
    Map<String, String> expected = new TreeMap<>(Map.of(
        ":method", "POST",
        ":scheme", "http",
        ":path", "/" + Contract.fullName("Echo"),
        ":authority", "127.0.0.1:" + server.port(),
        "content-type", "application/grpc",
        "te", "trailers",
        "x-echo-ascii", "v",
        // Binary values go out as base64 without padding (PROTOCOL-HTTP2.md).
        "x-echo-data-bin", "AQ"));
    assertEquals(expected, h);
    List<byte[]> messages = GrpcWire.messages(r.data);
    assertEquals(1, messages.size());
    assertEquals(StringValue.of("hello"), StringValue.parseFrom(messages.get(0)));

    r.conn.headers(r.id(), GrpcWire.responseHeaders(), false);
    r.conn.data(r.id(), GrpcWire.lengthPrefixed(StringValue.of("hi").toByteArray()), false);
    r.conn.headers(r.id(), GrpcWire.trailers(0, null), true);
    UnaryOutcome outcome = await(call);
    assertEquals(Status.Code.OK, outcome.code, outcome::toString);
    assertEquals(List.of("hi"), outcome.responses);
  }

  @Test
  void clientOpensTheConnectionWindowToTheStreamWindow() throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    // The client's WINDOW_UPDATE for stream 0 follows its SETTINGS, before any request.
    assertEquals(TernChannel.DEFAULT_FLOW_CONTROL_WINDOW, r.conn.sendWindow());
    r.conn.headers(r.id(), GrpcWire.trailersOnly(0, null), true);
    assertEquals(Status.Code.OK, await(call).code);
  }

  @Test
  void invalidPercentEncodingInGrpcMessageIsKeptLiterally() throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.headers(r.id(), GrpcWire.trailersOnly(3, "bad %zz %4 100%25 %E2%9C%93 %"), true);

    UnaryOutcome outcome = await(call);
    assertEquals(Status.Code.INVALID_ARGUMENT, outcome.code);
    assertEquals("bad %zz %4 100% ✓ %", outcome.description);
  }

  @Test
  void percentEncodedBytesThatAreNotUtf8BecomeReplacementCharacters() throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.headers(r.id(), GrpcWire.trailersOnly(3, "a%FFb"), true);

    assertEquals("a\uFFFDb", await(call).description);
  }

  @ParameterizedTest
  @CsvSource({"400, INTERNAL", "401, UNAUTHENTICATED", "403, PERMISSION_DENIED",
      "404, UNIMPLEMENTED", "429, UNAVAILABLE", "502, UNAVAILABLE", "503, UNAVAILABLE",
      "504, UNAVAILABLE", "500, UNKNOWN", "415, UNKNOWN"})
  void httpErrorWithoutGrpcStatusMapsToTheSpecifiedCode(int httpStatus, Status.Code code)
      throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.headers(r.id(), new DefaultHttp2Headers().status(Integer.toString(httpStatus))
        .set("content-type", "text/html"), true);

    UnaryOutcome outcome = await(call);
    assertEquals(code, outcome.code, outcome::toString);
    assertTrue(outcome.description.contains(Integer.toString(httpStatus)), outcome::toString);
  }

  @ParameterizedTest
  @CsvSource({"REFUSED_STREAM, UNAVAILABLE", "CANCEL, CANCELLED",
      "ENHANCE_YOUR_CALM, RESOURCE_EXHAUSTED", "INADEQUATE_SECURITY, PERMISSION_DENIED",
      "PROTOCOL_ERROR, INTERNAL", "NO_ERROR, INTERNAL"})
  void resetStreamMapsToTheSpecifiedCode(Http2Error error, Status.Code code) throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.rstStream(r.id(), error);
    if (error == Http2Error.REFUSED_STREAM) {
      // A refused stream was not processed: Tern retries it transparently (gRFC A6), a bounded
      // number of times. Refuse every attempt.
      int last = r.id();
      for (int i = 0; i < 3; i++) {
        int previous = last;
        RawFrame retry = r.conn.take(f -> f.type() == RawFrame.Type.HEADERS
            && f.streamId() > previous, RawHttp2Connection.DEFAULT_TIMEOUT);
        r.conn.rstStream(retry.streamId(), error);
        last = retry.streamId();
      }
    }

    assertEquals(code, await(call).code);
  }

  @Test
  void serverResetAfterTheDeadlinePassedIsDeadlineExceeded() throws Exception {
    // The server's deadline timer can fire before the client's and reset the stream with CANCEL;
    // the client must still report that it ran out of time. A fake ticker makes the race certain.
    AtomicLong nanos = new AtomicLong();
    Deadline.Ticker ticker = new Deadline.Ticker() {
      @Override
      public long nanoTime() {
        return nanos.get();
      }
    };
    TernChannel channel = tern.newChannel(server.port(), b -> {});
    ClientCall<StringValue, StringValue> call = channel.newCall(Contract.ternMethod("Echo"),
        CallOptions.DEFAULT.withDeadline(Deadline.after(60, TimeUnit.SECONDS, ticker)));
    CompletableFuture<Status> closed = start(call);
    call.request(1);
    call.sendMessage(StringValue.of("x"));
    call.halfClose();
    Request r = receive();

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(61));
    r.conn.rstStream(r.id(), Http2Error.CANCEL);

    Status status = closed.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, status.getCode(), status::toString);
  }

  /** Starts {@code call}; the future completes with the status it closes with. */
  private static CompletableFuture<Status> start(ClientCall<StringValue, StringValue> call) {
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, dev.tern.Metadata trailers) {
        closed.complete(status);
      }
    }, new dev.tern.Metadata());
    return closed;
  }

  @Test
  void responseEndingBeforeTheRequestIsResetWithCancelByTheClient() throws Exception {
    // The server answers a request that is still open and sends nothing more (a reset after its
    // END_STREAM could cross the request's end): closing the stream is the client's job.
    TernChannel channel = tern.newChannel(server.port(), b -> {});
    ClientCall<StringValue, StringValue> call = channel.newCall(Contract.ternMethod("Echo"),
        CallOptions.DEFAULT);
    CompletableFuture<Status> closed = start(call);
    call.sendMessage(StringValue.of("open"));
    RawHttp2Connection conn = server.accept();
    RawFrame headers = conn.take(f -> f.type() == RawFrame.Type.HEADERS,
        RawHttp2Connection.DEFAULT_TIMEOUT);
    conn.headers(headers.streamId(), GrpcWire.trailersOnly(
        Status.Code.UNIMPLEMENTED.value(), "missing"), true);

    assertEquals(Status.Code.UNIMPLEMENTED, closed.get(30, TimeUnit.SECONDS).getCode());
    RawFrame rst = conn.take(f -> f.type() == RawFrame.Type.RST_STREAM,
        RawHttp2Connection.DEFAULT_TIMEOUT);
    assertEquals(headers.streamId(), rst.streamId());
    assertEquals(Http2Error.CANCEL.code(), rst.errorCode());
  }

  @Test
  void responseEndingWithoutTrailersIsInternal() throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.headers(r.id(), GrpcWire.responseHeaders(), false);
    r.conn.data(r.id(), GrpcWire.lengthPrefixed(StringValue.of("y").toByteArray()), true);

    assertEquals(Status.Code.INTERNAL, await(call).code);
  }

  @Test
  void trailersWithoutGrpcStatusAreUnknown() throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.headers(r.id(), GrpcWire.responseHeaders(), false);
    r.conn.headers(r.id(), new DefaultHttp2Headers().set("x-other", "1"), true);

    assertEquals(Status.Code.UNKNOWN, await(call).code);
  }

  @Test
  void paddedAndFoldedBase64InResponseHeadersAreAccepted() throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    Http2Headers h = GrpcWire.responseHeaders();
    h.add("x-echo-data-bin", "AQ==");
    h.add("x-echo-data-bin", "AQI,AQID");
    r.conn.headers(r.id(), h, false);
    r.conn.data(r.id(), GrpcWire.lengthPrefixed(StringValue.of("y").toByteArray()), false);
    r.conn.headers(r.id(), GrpcWire.trailers(0, null), true);

    UnaryOutcome outcome = await(call);
    assertEquals(Status.Code.OK, outcome.code, outcome::toString);
    List<byte[]> values = outcome.headers.binary("x-echo-data-bin");
    assertEquals(3, values.size());
    assertArrayEquals(new byte[] {1}, values.get(0));
    assertArrayEquals(new byte[] {1, 2}, values.get(1));
    assertArrayEquals(new byte[] {1, 2, 3}, values.get(2));
  }

  @Test
  void responseHeaderThatIsNotAValidMetadataKeyIsSkipped() throws Exception {
    // "x-odd~name" is a legal HTTP/2 field name but not a gRPC metadata key; a proxy may add
    // such headers, and grpc-java passes calls through them.
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.headers(r.id(), GrpcWire.responseHeaders().set("x-odd~name", "1")
        .set("x-echo-ascii", "kept"), false);
    r.conn.data(r.id(), GrpcWire.lengthPrefixed(StringValue.of("y").toByteArray()), false);
    r.conn.headers(r.id(), GrpcWire.trailers(0, null), true);

    UnaryOutcome outcome = await(call);
    assertEquals(Status.Code.OK, outcome.code, outcome::toString);
    assertEquals(List.of("kept"), outcome.headers.ascii("x-echo-ascii"));
    assertTrue(outcome.headers.ascii("x-odd~name").isEmpty());
  }

  @Test
  void trailersOnlyResponseHasNoSeparateHeaders() throws Exception {
    CompletableFuture<UnaryOutcome> call = client.start("Echo", "x", MetadataList.EMPTY);
    Request r = receive();
    r.conn.headers(r.id(), GrpcWire.trailersOnly(5, "nope").set("x-echo-ascii", "t"), true);

    UnaryOutcome outcome = await(call);
    assertEquals(Status.Code.NOT_FOUND, outcome.code);
    assertEquals("nope", outcome.description);
    assertNull(outcome.headers);
    assertEquals(List.of("t"), outcome.trailers.ascii("x-echo-ascii"));
  }
}
