package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Client;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code grpc-timeout} and RST_STREAM at a Tern server, frame by frame from a scripted HTTP/2
 * client (PROTOCOL-HTTP2.md "Requests" and "Errors").
 */
class DeadlineWireTest {
  private static final String REMAINING = "/" + DeadlineService.fullName("Remaining");
  private static final String HOLD = "/" + DeadlineService.fullName("Hold");

  private static final TernPeer tern = new TernPeer();
  private static final DeadlineService service = new DeadlineService();
  private static int port;
  private RawHttp2Client client;

  @BeforeAll
  static void startServer() throws Exception {
    port = tern.startServer(b -> b.addService(service.tern())).port();
  }

  @AfterAll
  static void stopServer() {
    tern.close();
  }

  @BeforeEach
  void connect() {
    service.seen.clear();
    client = RawHttp2Client.connect(port);
  }

  @AfterEach
  void disconnect() {
    client.close();
  }

  static Http2Headers request(String path, String timeout) {
    Http2Headers headers = GrpcWire.requestHeaders(path);
    if (timeout != null) {
      headers.set("grpc-timeout", timeout);
    }
    return headers;
  }

  static byte[] message(String s) {
    return GrpcWire.lengthPrefixed(StringValue.of(s).toByteArray());
  }

  /** Sends a whole Remaining call and returns the time left its handler reported. */
  long remainingCall(String timeout) throws InvalidProtocolBufferException {
    int id = client.newStream(request(REMAINING, timeout), false);
    client.data(id, message("how long"), true);
    RawFrame headers = client.nextFrame(id);
    assertEquals("200", headers.header(":status"), headers::toString);
    RawFrame data = client.nextFrame(id);
    assertEquals(RawFrame.Type.DATA, data.type(), data::toString);
    List<byte[]> messages = GrpcWire.messages(data.payload());
    RawFrame trailers = client.nextFrame(id);
    assertEquals("0", trailers.header("grpc-status"), trailers::toString);
    return Long.parseLong(StringValue.parseFrom(messages.get(0)).getValue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"123456789S", "100", "100x", "-1S", ""})
  void malformedTimeoutFailsThatCallAndTheNextCallSucceeds(String timeout) throws Exception {
    // The request ends with its HEADERS: the answer may come before any DATA could be sent.
    int id = client.newStream(request(REMAINING, timeout), true);

    RawFrame f = client.nextFrame(id);
    assertEquals(RawFrame.Type.HEADERS, f.type(), f::toString);
    assertTrue(f.isEndStream(), "Trailers-Only");
    assertEquals("200", f.header(":status"));
    assertEquals("13", f.header("grpc-status"), f::toString);
    assertTrue(f.header("grpc-message").contains("grpc-timeout"), f::toString);

    // The same connection carries the next call, and no handler ran for the failed one.
    long left = remainingCall("1S");
    assertTrue(left > 0 && left <= TimeUnit.SECONDS.toNanos(1), "time left: " + left);
    DeadlineService.Seen first = service.seen.poll(10, TimeUnit.SECONDS);
    assertNotNull(first);
    assertEquals("Remaining", first.method);
    assertTrue(first.remainingNanosAtStart <= TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void timeoutReachesTheHandlerWithLessTimeLeft() throws Exception {
    // 8 digits of microseconds: the largest value of the finest unit a client sends for 99 s.
    long left = remainingCall("99999999u");
    assertTrue(left > 0 && left < TimeUnit.MICROSECONDS.toNanos(99_999_999L), "left: " + left);
  }

  @Test
  void deadlinePassingOnTheServerAnswersDeadlineExceededThenResets() throws Exception {
    long start = System.nanoTime();
    // A bidi call whose request stays open and whose handler never answers.
    int id = client.newStream(request(HOLD, "100m"), false);
    DeadlineService.Seen handler = service.next("Hold");

    RawFrame f = client.nextFrame(id);
    long elapsed = System.nanoTime() - start;
    assertEquals(RawFrame.Type.HEADERS, f.type(), f::toString);
    assertTrue(f.isEndStream());
    assertEquals("4", f.header("grpc-status"), f::toString);
    assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(100), "answered after " + elapsed + " ns");
    RawFrame rst = client.nextFrame(id);
    assertEquals(RawFrame.Type.RST_STREAM, rst.type(), rst::toString);
    assertEquals(Http2Error.CANCEL.code(), rst.errorCode());
    assertEquals("DEADLINE_EXCEEDED", handler.awaitContextCancelled());
    handler.awaitOnCancel();
  }

  @Test
  void expiredTimeoutFailsWithoutStartingTheHandler() throws Exception {
    int id = client.newStream(request(HOLD, "0n"), false);

    RawFrame f = client.nextFrame(id);
    assertEquals("4", f.header("grpc-status"), f::toString);
    assertTrue(f.isEndStream());
    remainingCall("1S");
    DeadlineService.Seen first = service.seen.poll(10, TimeUnit.SECONDS);
    assertNotNull(first);
    assertEquals("Remaining", first.method, "the expired call's handler was started");
  }

  @Test
  void connectionLossCancelsTheHandler() throws Exception {
    client.newStream(request(HOLD, "60S"), false);
    DeadlineService.Seen handler = service.next("Hold");

    client.close();

    assertEquals("CANCELLED", handler.awaitContextCancelled());
    handler.awaitOnCancel();
  }

  @ParameterizedTest
  @CsvSource({"20m, DEADLINE_EXCEEDED", "60S, CANCELLED"})
  void resetIsTheDeadlineOnlyWhenTheDeadlineIsAboutToPass(String timeout, String expected)
      throws Exception {
    // A client resets with CANCEL both when it gives up and when its deadline passes; a reset
    // that lands as the server's own deadline is about to pass (within ServerCallImpl's
    // allowance, 50 ms) is the client's deadline.
    int id = client.newStream(request(HOLD, timeout), false);
    DeadlineService.Seen handler = service.next("Hold");

    client.rstStream(id, Http2Error.CANCEL);

    assertEquals(expected, handler.awaitContextCancelled());
    handler.awaitOnCancel();
  }

  @ParameterizedTest
  @CsvSource({"CANCEL, CANCELLED", "ENHANCE_YOUR_CALM, RESOURCE_EXHAUSTED",
      "INTERNAL_ERROR, INTERNAL", "REFUSED_STREAM, UNAVAILABLE"})
  void clientResetCancelsTheHandlerWithTheMappedStatus(Http2Error error, String expected)
      throws Exception {
    int id = client.newStream(request(HOLD, null), false);
    DeadlineService.Seen handler = service.next("Hold");

    client.rstStream(id, error);

    // PROTOCOL-HTTP2.md "Errors": the code the handler's context is cancelled with.
    assertEquals(expected, handler.awaitContextCancelled());
    handler.awaitOnCancel();
    // The connection is unharmed.
    assertTrue(remainingCall("1S") > 0);
  }
}
