package dev.tern.netty;

import static io.netty.handler.codec.http2.Http2Flags.END_HEADERS;
import static io.netty.handler.codec.http2.Http2Flags.END_STREAM;
import static io.netty.handler.codec.http2.Http2FrameTypes.HEADERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Client;
import dev.tern.testing.RawHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC-level bad input fails that call only: each test sends one bad request on a raw connection,
 * checks the answer, then makes a good call on the same connection.
 */
class ServerBadInputTest {
  /** How long a frame the test expects may take to arrive. */
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String UNARY = "/tern.test.Echo/Unary";

  private static TernServer server;
  private RawHttp2Client peer;

  @BeforeAll
  static void startServer() throws Exception {
    server = TernServer.builder().port(0).addService(TestMethods.echoService()).build().start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @BeforeEach
  void connect() throws Exception {
    peer = RawHttp2Client.connectRaw(server.port());
    peer.handshakeAndAck();
  }

  @AfterEach
  void reuse() throws Exception {
    try {
      // The connection is still good for the next call.
      ServerAttackTest.assertUnaryWorks(peer, 101);
    } finally {
      peer.close();
    }
  }

  private RawFrame trailers(int streamId) throws InterruptedException {
    RawFrame f = peer.take(
        x -> x.type() == RawFrame.Type.HEADERS && x.streamId() == streamId && x.isEndStream(),
        WAIT);
    assertNotNull(f, "no trailers on stream " + streamId);
    return f;
  }

  private static String status(RawFrame trailers) {
    return trailers.header("grpc-status");
  }

  private static String code(Status.Code code) {
    return Integer.toString(code.value());
  }

  @Test
  void lengthPrefixAboveTheLimitIsResourceExhaustedBeforeBuffering() throws Exception {
    peer.headers(1, GrpcWire.requestHeaders(UNARY), false);
    // Declares 2 GiB and sends none of it.
    peer.data(1, ByteBuffer.allocate(5).put((byte) 0).putInt(Integer.MAX_VALUE).array(), false);
    assertEquals(code(Status.Code.RESOURCE_EXHAUSTED), status(trailers(1)));
  }

  @Test
  void decompressionBombIsResourceExhausted() throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(new byte[64 * 1024 * 1024]); // 64 MiB of zeros: about 64 KB compressed.
    }
    byte[] body = gz.toByteArray();
    byte[] message = ByteBuffer.allocate(5 + body.length).put((byte) 1).putInt(body.length)
        .put(body).array();
    peer.headers(1, GrpcWire.requestHeaders(UNARY).add("grpc-encoding", "gzip"), false);
    for (int off = 0; off < message.length; off += 16_384) {
      int n = Math.min(16_384, message.length - off);
      peer.data(1, java.util.Arrays.copyOfRange(message, off, off + n), off + n == message.length);
    }
    assertEquals(code(Status.Code.RESOURCE_EXHAUSTED), status(trailers(1)));
  }

  @Test
  void malformedGrpcTimeoutFailsTheCall() throws Exception {
    peer.headers(1, GrpcWire.requestHeaders(UNARY).add("grpc-timeout", "forever"), true);
    assertEquals(code(Status.Code.INTERNAL), status(trailers(1)));
  }

  @Test
  void invalidBase64InABinaryHeaderFailsTheCall() throws Exception {
    peer.headers(1, GrpcWire.requestHeaders(UNARY).add("x-data-bin", "not*base64!"), true);
    assertEquals(code(Status.Code.INTERNAL), status(trailers(1)));
  }

  @Test
  void endStreamInsideAMessageIsInternal() throws Exception {
    peer.headers(1, GrpcWire.requestHeaders(UNARY), false);
    peer.data(1, new byte[] {0, 0, 0, 0, 10, 'a', 'b'}, true);
    assertEquals(code(Status.Code.INTERNAL), status(trailers(1)));
  }

  @Test
  void missingPathIsAStreamError() throws Exception {
    Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http")
        .authority("localhost").add("content-type", "application/grpc");
    peer.headers(1, h, true);
    RawFrame rst = peer.take(f -> f.type() == RawFrame.Type.RST_STREAM && f.streamId() == 1, WAIT);
    assertNotNull(rst);
    assertEquals(Http2Error.PROTOCOL_ERROR.code(), rst.errorCode());
  }

  @Test
  void malformedPathIsUnimplemented() throws Exception {
    peer.headers(1, GrpcWire.requestHeaders("no-slash"), true);
    assertEquals(code(Status.Code.UNIMPLEMENTED), status(trailers(1)));
  }

  @Test
  void pseudoHeaderAfterARegularOneIsAStreamError() throws Exception {
    // Encoded by hand: Netty's encoder would put the pseudo-headers first.
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.writeBytes(RawHttp2Connection.literalHeaderBlock(
        ":method", "POST",
        ":scheme", "http",
        "content-type", "application/grpc",
        ":path", UNARY));
    peer.writeFrame(HEADERS, END_HEADERS | END_STREAM, 1, block.toByteArray());
    RawFrame rst = peer.take(f -> f.type() == RawFrame.Type.RST_STREAM && f.streamId() == 1, WAIT);
    assertNotNull(rst);
    assertEquals(Http2Error.PROTOCOL_ERROR.code(), rst.errorCode());
  }

  @Test
  void nonPostMethodIsHttp405() throws Exception {
    peer.headers(1, GrpcWire.requestHeaders(UNARY).method("GET"), true);
    RawFrame answer = peer.take(f -> f.type() == RawFrame.Type.HEADERS && f.streamId() == 1, WAIT);
    assertNotNull(answer);
    assertEquals("405", answer.headers().status().toString());
  }

  @Test
  void missingTeTrailersIsAccepted() throws Exception {
    // PROTOCOL-HTTP2.md requires clients to send it; servers may be lenient, and Tern is.
    Http2Headers h = GrpcWire.requestHeaders(UNARY);
    h.remove("te");
    peer.headers(1, h, false);
    peer.data(1, GrpcWire.lengthPrefixed("no te"), true);
    assertEquals(code(Status.Code.OK), status(trailers(1)));
  }
}
