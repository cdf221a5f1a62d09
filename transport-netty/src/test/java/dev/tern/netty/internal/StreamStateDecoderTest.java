package dev.tern.netty.internal;

import static dev.tern.testing.RawFrame.Type.GOAWAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.Ticker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamStateDecoder}'s memory of client streams while its bit sets grow from
 * {@link StreamStateDecoder#INITIAL_IDS} identifiers to the full {@link StreamStateDecoder#WINDOW}
 * and then wrap around: the RFC 9113 §5.1 / §5.1.1 rules hold at every size. A raw client on an
 * {@link EmbeddedChannel}; requests go to an unknown method, which the server answers
 * Trailers-Only, so each stream closes cleanly (END_STREAM both ways, no reset).
 */
class StreamStateDecoderTest {
  private static final String UNKNOWN = "/tern.test.Nothing/Here";

  private EmbeddedChannel channel;
  private RawHttp2Connection client;

  @BeforeEach
  void connect() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    channel.pipeline().addLast(ServerHandler.create(
        ServerSettings.builder().methodsByPath(Map.of()).build()));
    client = RawHttp2Connection.embeddedRaw(Ticker.newMockTicker());
    client.handshake();
    frames();
  }

  @AfterEach
  void close() {
    client.close();
    channel.finishAndReleaseAll();
  }

  private List<RawFrame> frames() {
    client.exchange(channel);
    return client.takeAll();
  }

  /** The client opens and ends stream {@code streamId}; returns the server's frames. */
  private List<RawFrame> request(int streamId) {
    client.headers(streamId, GrpcWire.requestHeaders(UNKNOWN), true);
    return frames();
  }

  private static void assertAnsweredWithoutGoAway(List<RawFrame> frames) {
    assertTrue(frames.stream().noneMatch(f -> f.type() == GOAWAY), frames::toString);
  }

  private static void assertGoAway(Http2Error error, List<RawFrame> frames) {
    List<RawFrame> goAways = frames.stream().filter(f -> f.type() == GOAWAY).toList();
    assertEquals(1, goAways.size(), frames::toString);
    assertEquals(error.code(), goAways.get(0).errorCode());
  }

  @Test
  void streamClosedCleanlyBeforeTheSetsGrowIsStillKnownAfter() {
    assertAnsweredWithoutGoAway(request(1));
    // Stream id 301 is identifier 150: past the initial 64, the sets grow.
    assertAnsweredWithoutGoAway(request(301));

    assertGoAway(Http2Error.STREAM_CLOSED, request(1));
  }

  @Test
  void unopenedLowerStreamIsAProtocolErrorAfterTheSetsGrow() {
    assertAnsweredWithoutGoAway(request(1));
    assertAnsweredWithoutGoAway(request(4001));

    assertGoAway(Http2Error.PROTOCOL_ERROR, request(3));
  }

  @Test
  void rulesHoldOnceTheIdentifiersWrapAroundTheWindow() {
    // Identifiers 0, 100, 3000, then 5000 (past WINDOW: the slots wrap around).
    assertAnsweredWithoutGoAway(request(1));
    assertAnsweredWithoutGoAway(request(201));
    assertAnsweredWithoutGoAway(request(6001));
    assertAnsweredWithoutGoAway(request(10_001));

    // Identifier 3000 is still in the window and closed cleanly: §5.1 "closed".
    assertGoAway(Http2Error.STREAM_CLOSED, request(6001));
  }

  @Test
  void unopenedStreamInsideTheWrappedWindowIsAProtocolError() {
    assertAnsweredWithoutGoAway(request(1));
    assertAnsweredWithoutGoAway(request(10_001));

    // Identifier 4999 shares its slot with nothing opened in the window.
    assertGoAway(Http2Error.PROTOCOL_ERROR, request(9_999));
  }
}
