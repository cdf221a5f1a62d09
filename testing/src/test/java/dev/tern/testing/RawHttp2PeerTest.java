package dev.tern.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scripted peers against each other: what one writes, the other reads, in order. */
class RawHttp2PeerTest {
  private RawHttp2Server server;
  private RawHttp2Client client;
  private RawHttp2Connection accepted;

  @BeforeEach
  void connect() {
    server = RawHttp2Server.start();
    client = RawHttp2Client.connect(server.port());
    accepted = server.accept();
  }

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  @Test
  void requestAndResponseFramesArriveInOrderWithTheirContent() {
    int id = client.newStream(GrpcWire.requestHeaders("/pkg.Svc/M"), false);
    client.data(id, GrpcWire.lengthPrefixed(new byte[] {1, 2, 3}), true);

    RawFrame headers = accepted.nextFrame(id);
    assertEquals(RawFrame.Type.HEADERS, headers.type());
    assertEquals("/pkg.Svc/M", headers.header(":path"));
    RawFrame data = accepted.nextFrame(id);
    assertEquals(RawFrame.Type.DATA, data.type());
    assertTrue(data.isEndStream());
    assertArrayEquals(new byte[] {1, 2, 3}, GrpcWire.messages(data.payload()).get(0));

    accepted.headers(id, GrpcWire.trailersOnly(5, "gone"), true);
    RawFrame answer = client.nextFrame(id);
    assertTrue(answer.isEndStream());
    assertEquals("5", answer.header("grpc-status"));
    assertEquals("gone", answer.header("grpc-message"));
  }

  @Test
  void takingByStreamLeavesOtherFramesQueued() {
    int a = client.newStream(GrpcWire.requestHeaders("/a/A"), false);
    int b = client.newStream(GrpcWire.requestHeaders("/b/B"), false);
    client.rstStream(a, Http2Error.CANCEL);
    accepted.barrier();

    assertEquals("/b/B", accepted.nextFrame(b).header(":path"));
    assertEquals("/a/A", accepted.nextFrame(a).header(":path"));
    RawFrame rst = accepted.nextFrame(a);
    assertEquals(RawFrame.Type.RST_STREAM, rst.type());
    assertEquals(Http2Error.CANCEL.code(), rst.errorCode());
    assertNull(accepted.poll(f -> f.streamId() != 0));
  }

  @Test
  void waitingForAFrameThatNeverComesFailsWithWhatDidCome() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> client.take(f -> f.type() == RawFrame.Type.GOAWAY, Duration.ofMillis(200)));
    assertTrue(e.getMessage().contains("SETTINGS"), e.getMessage());
  }

  @Test
  void goAwayReachesThePeerWithItsDebugData() {
    accepted.goAway(Http2Error.ENHANCE_YOUR_CALM, "slow down");
    RawFrame goAway = client.take(f -> f.type() == RawFrame.Type.GOAWAY,
        RawHttp2Connection.DEFAULT_TIMEOUT);
    assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    assertEquals("slow down", new String(goAway.payload(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void closingOneSideIsSeenByTheOther() {
    client.close();
    assertTrue(accepted.awaitClosed(RawHttp2Connection.DEFAULT_TIMEOUT));
    assertFalse(accepted.isOpen());
  }
}
