package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import dev.tern.netty.TernServer;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Client;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Tern server seen frame by frame from a scripted HTTP/2 client: the exact response shapes
 * PROTOCOL-HTTP2.md prescribes, and how malformed requests fail only their own stream.
 */
class TernServerWireTest {
  private static final int MAX_INBOUND = 1024;
  private static final String ECHO = "/" + Contract.fullName("Echo");
  private static final String MISSING = "/" + Contract.fullName("Missing");

  private static final TernPeer tern = new TernPeer();
  private static int port;
  private RawHttp2Client client;

  @BeforeAll
  static void startServer() throws Exception {
    port = tern.startServer(b -> b.addService(Contract.tern(new Gates()))
        .maxInboundMessageSize(MAX_INBOUND)).port();
  }

  @AfterAll
  static void stopServer() {
    tern.close();
  }

  @BeforeEach
  void connect() {
    client = RawHttp2Client.connect(port);
  }

  @AfterEach
  void disconnect() {
    client.close();
  }

  @Test
  void serverSettingsAnnounceTheDocumentedDefaults() {
    Http2Settings settings = client.take(f -> f.type() == RawFrame.Type.SETTINGS,
        RawHttp2Client.DEFAULT_TIMEOUT).settings();
    assertEquals(TernServer.DEFAULT_MAX_CONCURRENT_STREAMS, settings.maxConcurrentStreams());
    assertEquals(TernServer.DEFAULT_FLOW_CONTROL_WINDOW, settings.initialWindowSize());
    assertEquals(TernServer.DEFAULT_MAX_HEADER_LIST_SIZE, settings.maxHeaderListSize());
  }

  @Test
  void serverOpensTheConnectionWindowToTheStreamWindow() {
    // SETTINGS_INITIAL_WINDOW_SIZE covers streams only; the connection needs a WINDOW_UPDATE.
    client.barrier();
    assertEquals(TernServer.DEFAULT_FLOW_CONTROL_WINDOW, client.sendWindow());
  }

  @Test
  void unaryResponseIsHeadersThenDataThenTrailers() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    client.data(id, request("hi"), true);

    RawFrame headers = client.nextFrame(id);
    assertEquals(RawFrame.Type.HEADERS, headers.type(), headers::toString);
    assertFalse(headers.isEndStream());
    assertEquals(Map.of(":status", "200", "content-type", "application/grpc"),
        withoutAcceptEncoding(headers.headerMap()));

    List<byte[]> data = new ArrayList<>();
    RawFrame f;
    while ((f = client.nextFrame(id)).type() == RawFrame.Type.DATA) {
      assertFalse(f.isEndStream(), "a gRPC response never ends on DATA");
      data.add(f.payload());
    }
    List<byte[]> messages = GrpcWire.messages(GrpcWire.concat(data));
    assertEquals(1, messages.size());
    assertEquals("hi", parse(messages.get(0)));

    assertEquals(RawFrame.Type.HEADERS, f.type(), f::toString);
    assertTrue(f.isEndStream());
    assertEquals(Map.of("grpc-status", "0"), f.headerMap());
    assertNothingMoreOn(id);
  }

  @Test
  void unknownMethodGetsOneTrailersOnlyHeadersFrame() {
    // The request ends with its HEADERS: the server may answer before reading any DATA.
    int id = client.newStream(GrpcWire.requestHeaders(MISSING), true);

    RawFrame f = client.nextFrame(id);
    assertTrailersOnly(f, "12", "Method not found: " + Contract.fullName("Missing"));
    assertNothingMoreOn(id);
  }

  @Test
  void earlyAnswerToAnUnfinishedRequestIsTheLastFrameOnItsStream() {
    // The answer goes out while the request is open, and the request's END_STREAM crosses it, as
    // when nginx forwards a request. The stream is then closed (RFC 9113 §5.1): a RST_STREAM
    // after the answer would reach nginx after it reused the connection, failing its next
    // request with 502 ("upstream sent frame for unknown stream").
    int id = client.newStream(GrpcWire.requestHeaders(MISSING), false);

    RawFrame answer = client.nextFrame(id);
    assertTrailersOnly(answer, "12", "Method not found: " + Contract.fullName("Missing"));
    assertTrue(answer.isEndStream());
    client.data(id, request("late"), true);
    assertNothingMoreOn(id);
    assertSecondCallSucceeds();
  }

  @Test
  void earlyAnswerLeavesClosingTheUnfinishedRequestToTheClient() {
    int id = client.newStream(GrpcWire.requestHeaders(MISSING), false);

    assertTrailersOnly(client.nextFrame(id), "12",
        "Method not found: " + Contract.fullName("Missing"));
    assertNothingMoreOn(id);
    client.rstStream(id, Http2Error.CANCEL);
    assertSecondCallSucceeds();
  }

  @Test
  void requestTrailersAfterAnEarlyAnswerAreIgnored() {
    // The server answers UNIMPLEMENTED while the request is open; the request's trailers, read in
    // the same batch, come after the server's answer and must not start a call.
    int[] id = new int[1];
    client.corked(() -> {
      id[0] = client.newStream(GrpcWire.requestHeaders(MISSING), false);
      client.writeRaw(RawHttp2Client.frameBytes(0x1, 0x1 | 0x4, id[0],
          RawHttp2Client.literalHeaderBlock("x-request-trailer", "1")));
    });

    assertTrailersOnly(client.nextFrame(id[0]), "12",
        "Method not found: " + Contract.fullName("Missing"));
    assertSecondCallSucceeds();
    assertNull(client.poll(f -> f.type() == RawFrame.Type.GOAWAY), client.unread()::toString);
  }

  @Test
  void requestEndedByTrailersIsServed() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    client.data(id, request("t"), false);
    client.headers(id, new io.netty.handler.codec.http2.DefaultHttp2Headers()
        .set("x-request-trailer", "1"), true);

    assertEquals("200", client.nextFrame(id, RawFrame.Type.HEADERS).header(":status"));
    assertEquals("0", trailers(id).header("grpc-status"));
  }

  // application/json is not here: it is the Connect protocol's unary JSON (docs/web.md).
  @ParameterizedTest
  @ValueSource(strings = {"application/xml", "application/grpcx", "text/plain", ""})
  void nonGrpcContentTypeGetsHttp415(String contentType) {
    Http2Headers h = GrpcWire.requestHeaders(ECHO);
    if (contentType.isEmpty()) {
      h.remove("content-type");
    } else {
      h.set("content-type", contentType);
    }
    int id = client.newStream(h, true);

    assertHttpError(id, "415");
    assertNothingMoreOn(id);
  }

  /**
   * A non-gRPC request gets a plain HTTP error: HEADERS with the status and a text/plain body
   * saying why, ending the stream, so curl-like tools get a readable answer.
   */
  private void assertHttpError(int id, String httpStatus) {
    RawFrame f = client.nextFrame(id);
    assertEquals(RawFrame.Type.HEADERS, f.type(), f::toString);
    assertEquals(httpStatus, f.header(":status"));
    assertTrue(f.header("content-type").startsWith("text/plain"), f::toString);
    RawFrame body = client.nextFrame(id, RawFrame.Type.DATA);
    assertTrue(body.isEndStream(), body::toString);
    assertTrue(body.payload().length > 0, "the body says why");
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/grpc+proto", "application/grpc;charset=utf-8",
      "APPLICATION/GRPC"})
  void grpcContentTypeVariantsAreAccepted(String contentType) {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO).set("content-type", contentType),
        false);
    client.data(id, request("v"), true);
    assertEquals("200", client.nextFrame(id, RawFrame.Type.HEADERS).header(":status"));
    assertEquals("0", trailers(id).header("grpc-status"));
  }

  @Test
  void nonPostMethodIsRejectedWith405() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO).method("GET"), true);

    assertHttpError(id, "405");
  }

  @Test
  void endStreamInsideAMessageIsInternal() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    byte[] partial = new byte[5 + 3];
    System.arraycopy(GrpcWire.prefix(false, 10), 0, partial, 0, 5);
    client.data(id, partial, true);

    RawFrame f = trailers(id);
    assertEquals("13", f.header("grpc-status"), f::toString);
    assertTrue(f.header("grpc-message").contains("middle of a message"), f::toString);
  }

  @Test
  void endStreamInsideAMessagePrefixIsInternal() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    client.data(id, new byte[] {0, 0, 0}, true);

    RawFrame f = trailers(id);
    assertEquals("13", f.header("grpc-status"), f::toString);
  }

  @Test
  void lengthPrefixOverTheLimitIsRejectedBeforeThePayloadArrives() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    // Only the 5-byte prefix, declaring 4 GiB - 1: the answer must not wait for the payload,
    // and the server must not try to make room for it.
    client.data(id, GrpcWire.prefix(false, 0xFFFF_FFFFL), false);

    RawFrame f = client.nextFrame(id);
    assertTrailersOnly(f, "8", null);
    assertTrue(f.header("grpc-message").contains("exceeds maximum size " + MAX_INBOUND),
        f::toString);
    assertNothingMoreOn(id);
    assertSecondCallSucceeds();
  }

  @Test
  void invalidBase64InBinaryHeaderFailsOnlyThatCall() {
    int id = client.newStream(
        GrpcWire.requestHeaders(ECHO).set("x-echo-data-bin", "!!not base64!!"), true);

    RawFrame f = trailers(id);
    assertEquals("13", f.header("grpc-status"), f::toString);
    assertTrue(client.isOpen());
    assertSecondCallSucceeds();
  }

  @Test
  void requestHeaderThatIsNotAValidMetadataKeyIsSkipped() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO).set("x-odd~name", "1")
        .set("x-echo-ascii", "kept"), false);
    client.data(id, request("k"), true);

    RawFrame headers = client.nextFrame(id, RawFrame.Type.HEADERS);
    assertEquals("kept", headers.header("x-echo-ascii"));
    assertEquals("0", trailers(id).header("grpc-status"));
  }

  @Test
  void paddedUnpaddedAndFoldedBase64AreAcceptedAndSentUnpadded() {
    Http2Headers h = GrpcWire.requestHeaders(ECHO);
    h.add("x-echo-data-bin", "AQ==");
    h.add("x-echo-data-bin", "AQI");
    h.add("x-echo-data-bin", "AQID, BA==");
    int id = client.newStream(h, false);
    client.data(id, request("b"), true);

    RawFrame headers = client.nextFrame(id, RawFrame.Type.HEADERS);
    List<String> values = new ArrayList<>();
    for (CharSequence v : headers.headers().getAll("x-echo-data-bin")) {
      values.add(v.toString());
    }
    assertEquals(List.of("AQ", "AQI", "AQID", "BA"), values);
    assertEquals("0", trailers(id).header("grpc-status"));
  }

  @Test
  void statusMessageIsPercentEncodedUtf8() {
    int id = client.newStream(GrpcWire.requestHeaders("/" + Contract.fullName("Fail")), false);
    client.data(id, request("100% ✓"), true);

    RawFrame f = client.nextFrame(id);
    assertTrailersOnly(f, "3", "100%25 %E2%9C%93");
  }

  @Test
  void messageSplitAcrossManyDataFramesIsReassembled() {
    String text = "y".repeat(900);
    byte[] framed = request(text);
    int id = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    for (int i = 0; i < framed.length; i += 7) {
      client.data(id, java.util.Arrays.copyOfRange(framed, i, Math.min(framed.length, i + 7)),
          false);
    }
    client.data(id, new byte[0], true);

    assertEquals(List.of(text), responseMessages(id));
  }

  @Test
  void emptyMessageIsARequestLikeAnyOther() {
    int id = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    client.data(id, GrpcWire.lengthPrefixed(new byte[0]), true);

    assertEquals(List.of(""), responseMessages(id));
  }

  @Test
  void concurrentStreamsAreAnsweredIndependently() {
    int a = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    int b = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    client.data(b, request("second"), true);
    assertEquals("0", trailers(b).header("grpc-status"));
    client.data(a, request("first"), true);
    assertEquals("0", trailers(a).header("grpc-status"));
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] request(String text) {
    return GrpcWire.lengthPrefixed(StringValue.of(text).toByteArray());
  }

  private static String parse(byte[] message) {
    try {
      return StringValue.parseFrom(message).getValue();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /** Reads a whole successful response on {@code id} and returns its messages. */
  private List<String> responseMessages(int id) {
    assertEquals("200", client.nextFrame(id, RawFrame.Type.HEADERS).header(":status"));
    List<byte[]> data = new ArrayList<>();
    RawFrame f;
    while ((f = client.nextFrame(id)).type() == RawFrame.Type.DATA) {
      data.add(f.payload());
    }
    assertEquals("0", f.header("grpc-status"), f::toString);
    List<String> out = new ArrayList<>();
    for (byte[] m : GrpcWire.messages(GrpcWire.concat(data))) {
      out.add(parse(m));
    }
    return out;
  }

  /** The frame that ends the response on {@code id}, skipping headers and data. */
  private RawFrame trailers(int id) {
    return client.take(f -> f.streamId() == id && f.type() == RawFrame.Type.HEADERS
        && f.isEndStream(), RawHttp2Client.DEFAULT_TIMEOUT);
  }

  private static void assertTrailersOnly(RawFrame f, String grpcStatus, String grpcMessage) {
    assertEquals(RawFrame.Type.HEADERS, f.type(), f::toString);
    assertTrue(f.isEndStream(), "Trailers-Only is one HEADERS frame with END_STREAM");
    Map<String, String> h = withoutAcceptEncoding(f.headerMap());
    assertEquals("200", h.get(":status"));
    assertEquals("application/grpc", h.get("content-type"));
    assertEquals(grpcStatus, h.get("grpc-status"));
    if (grpcMessage != null) {
      assertEquals(grpcMessage, h.get("grpc-message"));
      assertEquals(4, h.size(), h::toString);
    } else {
      assertNotNull(h.get("grpc-message"));
    }
  }

  /**
   * Removes {@code grpc-accept-encoding}, checking it is a list of encoding names: it advertises
   * the decompressors the peer has, a list that grows with them.
   */
  static Map<String, String> withoutAcceptEncoding(Map<String, String> headers) {
    Map<String, String> copy = new java.util.TreeMap<>(headers);
    String accept = copy.remove("grpc-accept-encoding");
    if (accept != null) {
      assertTrue(accept.matches("[a-z0-9-]+( *, *[a-z0-9-]+)*"), accept);
    }
    return copy;
  }

  /** Waits until the server has answered everything sent so far, then checks the stream is done. */
  private void assertNothingMoreOn(int id) {
    client.barrier();
    assertNull(client.poll(f -> f.streamId() == id), () -> "unexpected: " + client.unread());
  }

  private void assertSecondCallSucceeds() {
    int next = client.newStream(GrpcWire.requestHeaders(ECHO), false);
    client.data(next, request("next"), true);
    assertEquals("200", client.nextFrame(next, RawFrame.Type.HEADERS).header(":status"));
    assertEquals("0", trailers(next).header("grpc-status"));
  }
}
