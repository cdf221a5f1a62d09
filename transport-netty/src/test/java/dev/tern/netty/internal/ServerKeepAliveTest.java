package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerMethodDefinition;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The keepalive enforcer on a {@link ServerHandler} (grpc doc/keepalive.md), on an EmbeddedChannel
 * whose clock is a mock ticker: the handler reads PING times from the event loop's ticker, and
 * HEADERS or DATA leaving forgive the strikes. The permitted interval is 5 minutes; the client
 * holds a call open, so that interval applies.
 */
class ServerKeepAliveTest {
  private static final String PATH = "/test.Echo/Stream";
  private static final long PERMIT = TimeUnit.MINUTES.toNanos(5);
  private final MockTicker ticker = Ticker.newMockTicker();
  private ServerCall<String, String> call;
  private final EmbeddedChannel server = EmbeddedFixtures.channel(ticker,
      ServerHandler.create(ServerSettings.builder()
          .methodsByPath(Map.of(PATH, ServerMethodDefinition.create(
              MethodDescriptor.newBuilder(EmbeddedFixtures.UTF8, EmbeddedFixtures.UTF8).setFullMethodName(PATH.substring(1))
                  .setType(MethodDescriptor.MethodType.BIDI_STREAMING).build(),
              (c, headers) -> {
                call = c;
                return new ServerCall.Listener<>() { };
              })))
          .limits(new EmbeddedFixtures.Limits().build())
          .autoFlowControl(false).build()));
  private final RawHttp2Connection client = EmbeddedFixtures.rawClient(ticker);
  private long nextPing = 1;
  private int streamId;

  @AfterEach
  void tearDown() {
    client.close();
    server.finishAndReleaseAll();
  }

  /** The client opens a call (headers, no END_STREAM), which the handler answers with headers. */
  private void openCall() {
    client.exchange(server);
    streamId = client.newStream(GrpcWire.requestHeaders(PATH), false);
    client.exchange(server);
    assertNotNull(call, "the handler started");
    call.sendHeaders(new Metadata());
    client.exchange(server);
  }

  /** Sends one PING; returns whether the server answered it and stayed open. */
  private boolean pingAnswered() {
    long data = nextPing++;
    client.ping(data);
    client.exchange(server);
    RawFrame ack = client.poll(f -> f.type() == RawFrame.Type.PING && f.isAck()
        && f.pingContent() == data);
    return ack != null && server.isOpen();
  }

  private void assertTooManyPings() {
    RawFrame goAway = client.poll(f -> f.type() == RawFrame.Type.GOAWAY);
    assertNotNull(goAway, "unread: " + client.unread());
    assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
    assertEquals("too_many_pings", new String(goAway.payload(), StandardCharsets.UTF_8));
    assertFalse(server.isOpen());
  }

  @Test
  void pingsPermitTimeApartOnTheTicker_neverAStrike() {
    openCall();
    for (int i = 0; i < 6; i++) {
      assertTrue(pingAnswered(), "ping " + i);
      EmbeddedFixtures.advance(ticker, PERMIT, server);
    }
    assertNull(client.poll(f -> f.type() == RawFrame.Type.GOAWAY));
  }

  @Test
  void pingsAQuarterOfPermitTimeApart_thirdStrike_goAwayEnhanceYourCalm() {
    openCall();
    assertTrue(pingAnswered(), "the first PING is acceptable");
    for (int strike = 1; strike <= KeepAliveEnforcer.MAX_PING_STRIKES; strike++) {
      EmbeddedFixtures.advance(ticker, PERMIT / 4, server);
      assertTrue(pingAnswered(), "strike " + strike + " tolerated");
    }
    EmbeddedFixtures.advance(ticker, PERMIT / 4, server);
    client.ping(nextPing++);
    client.exchange(server);
    assertTooManyPings();
  }

  @Test
  void twoStrikes_dataWritten_pingsAfterItAreNotStrikes() {
    openCall();
    assertTrue(pingAnswered());
    assertTrue(pingAnswered(), "strike 1");
    assertTrue(pingAnswered(), "strike 2");
    call.sendMessage("pong");
    client.exchange(server);
    assertNotNull(client.poll(f -> f.type() == RawFrame.Type.DATA), "the message left");
    // A client may PING (BDP) in reply to DATA: the count starts again.
    assertTrue(pingAnswered(), "acceptable again");
    assertTrue(pingAnswered(), "strike 1 of a new count");
    assertTrue(pingAnswered(), "strike 2 of a new count");
    assertNull(client.poll(f -> f.type() == RawFrame.Type.GOAWAY));
  }

  /**
   * The handler sends a message larger than the client's stream window (the default 65,535
   * bytes, which the client does not replenish): what fits leaves, the rest waits. Then the client
   * PINGs three times: one acceptable, two strikes.
   */
  private void twoStrikesWhileAMessageWaitsForWindow() {
    client.autoWindowUpdate(false);
    openCall();
    call.sendMessage("x".repeat(70_000));
    client.exchange(server);
    client.takeAll();
    assertTrue(pingAnswered());
    assertTrue(pingAnswered(), "strike 1");
    assertTrue(pingAnswered(), "strike 2");
  }

  @Test
  void twoStrikes_dataHeldByFlowControl_strikesStandUntilItLeaves() {
    twoStrikesWhileAMessageWaitsForWindow();
    client.windowUpdate(streamId, 65_535);
    client.exchange(server);
    assertNotNull(client.poll(f -> f.type() == RawFrame.Type.DATA), "the rest left");
    assertTrue(pingAnswered(), "acceptable again once DATA left");
  }

  @Test
  void twoStrikes_unsentDataQueued_thirdStrikeEndsTheConnection() {
    twoStrikesWhileAMessageWaitsForWindow();
    // The rest of the message is queued, not written: no forgiveness.
    client.ping(nextPing++);
    client.exchange(server);
    assertTooManyPings();
  }
}
