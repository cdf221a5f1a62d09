package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server's policing of client PINGs, grpc doc/keepalive.md: a PING sooner than the permitted
 * interval after the last acceptable one is a strike; more than {@link
 * KeepAliveEnforcer#MAX_PING_STRIKES} strikes end the connection with
 * GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings"); HEADERS or DATA from the server forgive. Times are
 * given explicitly (the enforcer holds no clock). Each test name is the sequence it checks.
 */
class KeepAliveEnforcerTest {
  private static final long MIN = TimeUnit.MINUTES.toNanos(5);
  private static final long T0 = 1_000_000L;

  @Test
  void withCalls_pingsExactlyPermitTimeApart_neverAStrike() {
    KeepAliveEnforcer e = new KeepAliveEnforcer(false, MIN);
    for (int i = 0; i < 10; i++) {
      assertTrue(e.pingAcceptable(T0 + i * MIN, true), "ping " + i);
    }
  }

  @Test
  void withCalls_firstPingAlwaysAcceptable_twoTooSoonTolerated_thirdTooSoonRefused() {
    KeepAliveEnforcer e = new KeepAliveEnforcer(false, MIN);
    assertTrue(e.pingAcceptable(T0, true));
    assertTrue(e.pingAcceptable(T0 + 1, true), "strike 1");
    assertTrue(e.pingAcceptable(T0 + 2, true), "strike 2");
    assertFalse(e.pingAcceptable(T0 + 3, true), "strike 3: too_many_pings");
  }

  @Test
  void strikesAccumulate_acrossAcceptablePings() {
    KeepAliveEnforcer e = new KeepAliveEnforcer(false, MIN);
    assertTrue(e.pingAcceptable(T0, true));
    assertTrue(e.pingAcceptable(T0 + 1, true)); // strike 1
    assertTrue(e.pingAcceptable(T0 + MIN, true)); // fine, but the strike stays
    assertTrue(e.pingAcceptable(T0 + MIN + 1, true)); // strike 2
    assertFalse(e.pingAcceptable(T0 + MIN + 2, true));
  }

  @Test
  void withoutCalls_notPermitted_pingsPermitTimeApart_strikeUntilTwoHours() {
    KeepAliveEnforcer e = new KeepAliveEnforcer(false, MIN);
    assertTrue(e.pingAcceptable(T0, false));
    assertTrue(e.pingAcceptable(T0 + MIN, false), "strike 1: no calls, sooner than 2 h");
    assertTrue(e.pingAcceptable(T0 + 2 * MIN, false), "strike 2");
    assertFalse(e.pingAcceptable(T0 + 3 * MIN, false));
  }

  @Test
  void withoutCalls_notPermitted_pingsTwoHoursApart_acceptable() {
    KeepAliveEnforcer e = new KeepAliveEnforcer(false, MIN);
    for (int i = 0; i < 5; i++) {
      assertTrue(e.pingAcceptable(T0 + i * KeepAliveEnforcer.IMPLICIT_PERMIT_NANOS, false));
    }
  }

  @Test
  void withoutCalls_permitted_permitTimeApplies() {
    KeepAliveEnforcer e = new KeepAliveEnforcer(true, MIN);
    for (int i = 0; i < 5; i++) {
      assertTrue(e.pingAcceptable(T0 + i * MIN, false), "ping " + i);
    }
  }

  @Test
  void twoStrikes_serverSendsHeadersOrData_resetsStrikes_nextPingsFairAgain() {
    KeepAliveEnforcer e = new KeepAliveEnforcer(false, MIN);
    assertTrue(e.pingAcceptable(T0, true));
    assertTrue(e.pingAcceptable(T0 + 1, true));
    assertTrue(e.pingAcceptable(T0 + 2, true));
    e.resetCounters();
    // The client may PING right after what it received (e.g. to measure BDP).
    assertTrue(e.pingAcceptable(T0 + 3, true));
    assertTrue(e.pingAcceptable(T0 + 4, true), "strike 1 of a new count");
    assertTrue(e.pingAcceptable(T0 + 5, true), "strike 2");
    assertFalse(e.pingAcceptable(T0 + 6, true));
  }

  /**
   * The whole path on a ServerHandler: four PINGs in a burst without calls, the fourth past the
   * strikes, answered by GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings") and the connection closing.
   * (ServerHandler reads the enforcer's time from the event loop's ticker; ServerKeepAliveTest
   * moves it.)
   */
  @Test
  void serverHandler_pingBurstWithoutCalls_goAwayEnhanceYourCalmTooManyPings_thenClose() {
    MockTicker ticker = Ticker.newMockTicker();
    EmbeddedChannel server = EmbeddedFixtures.channel(ticker,
        ServerHandler.create(EmbeddedFixtures.serverSettings(new EmbeddedFixtures.Limits())));
    RawHttp2Connection client = EmbeddedFixtures.rawClient(ticker);
    try {
      client.exchange(server);
      for (int i = 1; i <= 3; i++) {
        client.ping(i);
        client.exchange(server);
        RawFrame ack = client.poll(f -> f.type() == RawFrame.Type.PING && f.isAck());
        assertNotNull(ack, "PING " + i + " answered");
        assertTrue(server.isOpen());
      }
      client.ping(4);
      client.exchange(server);
      RawFrame goAway = client.poll(f -> f.type() == RawFrame.Type.GOAWAY);
      assertNotNull(goAway, "unread: " + client.unread());
      assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
      assertEquals("too_many_pings", new String(goAway.payload(), StandardCharsets.UTF_8));
      assertFalse(server.isOpen());
    } finally {
      client.close();
      server.finishAndReleaseAll();
    }
  }
}
