package dev.tern.netty.internal;

import static dev.tern.netty.internal.EmbeddedFixtures.advance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KeepAlivePinger} (gRFC A8, grpc doc/keepalive.md) on an EmbeddedChannel's event loop and a
 * mock clock: first alone against a recording connection, then inside a {@link ClientHandler} and
 * a {@link ServerHandler} facing a scripted peer. Each test name is the interleaving it checks.
 */
class KeepAlivePingerTest {
  private static final long TIME = TimeUnit.SECONDS.toNanos(10);
  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(2);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final EmbeddedChannel loop = EmbeddedChannel.builder().ticker(ticker).build();
  private final RecordingConnection conn = new RecordingConnection();

  @AfterEach
  void tearDown() {
    loop.finishAndReleaseAll();
  }

  /** What the pinger did to its connection. */
  private static final class RecordingConnection implements KeepAlivePinger.Connection {
    final List<Long> pings = new ArrayList<>();
    boolean openStreams = true;
    int timeouts;

    @Override
    public void sendPing(long data) {
      pings.add(data);
    }

    @Override
    public boolean hasOpenStreams() {
      return openStreams;
    }

    @Override
    public void pingTimedOut() {
      timeouts++;
    }
  }

  private KeepAlivePinger started(boolean withoutCalls) {
    KeepAlivePinger pinger = new KeepAlivePinger(loop.eventLoop(), conn, TIME, TIMEOUT,
        withoutCalls);
    pinger.start();
    return pinger;
  }

  private void advanceBy(long nanos) {
    advance(ticker, nanos, loop);
  }

  // ---------------------------------------------------------------- the pinger alone

  @Test
  void idleJustUnderKeepAliveTime_noPing_thenAtKeepAliveTime_onePing() {
    started(false);
    advanceBy(TIME - 1);
    assertEquals(List.of(), conn.pings);
    advanceBy(1);
    assertEquals(List.of(KeepAlivePinger.PING_DATA), conn.pings);
  }

  @Test
  void readHalfwayThroughIdle_pingMovesToKeepAliveTimeAfterTheRead() {
    KeepAlivePinger pinger = started(false);
    advanceBy(TIME / 2);
    pinger.onRead();
    advanceBy(TIME / 2); // the first timer fires, finds a recent read and waits again
    assertEquals(List.of(), conn.pings);
    advanceBy(TIME / 2 - 1);
    assertEquals(List.of(), conn.pings);
    advanceBy(1);
    assertEquals(List.of(KeepAlivePinger.PING_DATA), conn.pings);
  }

  @Test
  void readsEveryHalfKeepAliveTime_noPingEver() {
    KeepAlivePinger pinger = started(false);
    for (int i = 0; i < 10; i++) {
      advanceBy(TIME / 2);
      pinger.onRead();
    }
    assertEquals(List.of(), conn.pings);
    assertEquals(0, conn.timeouts);
  }

  @Test
  void pingSent_nothingReadWithinTimeout_connectionDeclaredDeadOnce() {
    started(false);
    advanceBy(TIME);
    assertEquals(1, conn.pings.size());
    advanceBy(TIMEOUT - 1);
    assertEquals(0, conn.timeouts);
    advanceBy(1);
    assertEquals(1, conn.timeouts);
    advanceBy(10 * TIME);
    assertEquals(1, conn.pings.size(), "a dead connection gets no more PINGs");
    assertEquals(1, conn.timeouts);
  }

  @Test
  void pingSent_anyReadBeforeTimeout_connectionLives_nextPingKeepAliveTimeAfterTheRead() {
    KeepAlivePinger pinger = started(false);
    advanceBy(TIME);
    advanceBy(TIMEOUT / 2);
    pinger.onRead(); // not necessarily the ACK: any frame is a sign of life
    advanceBy(TIMEOUT);
    assertEquals(0, conn.timeouts);
    assertEquals(1, conn.pings.size());
    advanceBy(TIME - TIMEOUT - 1);
    assertEquals(1, conn.pings.size());
    advanceBy(1);
    assertEquals(2, conn.pings.size());
  }

  @Test
  void noOpenStreams_withoutCallsOff_dormantAtKeepAliveTime_streamOpens_pingsAtOnceWhenOverdue() {
    conn.openStreams = false;
    KeepAlivePinger pinger = started(false);
    advanceBy(3 * TIME);
    assertEquals(List.of(), conn.pings, "no PING while there is no call");
    conn.openStreams = true;
    pinger.onStreamOpened();
    advanceBy(0);
    assertEquals(List.of(KeepAlivePinger.PING_DATA), conn.pings,
        "idle for longer than the keepalive time: the PING is due at once");
  }

  @Test
  void noOpenStreams_withoutCallsOff_streamOpensBeforeDue_pingsAtKeepAliveTimeAfterLastRead() {
    conn.openStreams = false;
    KeepAlivePinger pinger = started(false);
    advanceBy(TIME); // goes dormant
    pinger.onRead();
    advanceBy(TIME / 4);
    conn.openStreams = true;
    pinger.onStreamOpened();
    advanceBy(TIME - TIME / 4 - 1);
    assertEquals(List.of(), conn.pings);
    advanceBy(1);
    assertEquals(1, conn.pings.size());
  }

  @Test
  void noOpenStreams_withoutCallsOn_pingsAnyway() {
    conn.openStreams = false;
    started(true);
    advanceBy(TIME);
    assertEquals(List.of(KeepAlivePinger.PING_DATA), conn.pings);
  }

  @Test
  void stoppedBeforeKeepAliveTime_noPing_noTimeout() {
    KeepAlivePinger pinger = started(false);
    advanceBy(TIME / 2);
    pinger.stop();
    advanceBy(10 * TIME);
    assertEquals(List.of(), conn.pings);
    assertEquals(0, conn.timeouts);
  }

  @Test
  void stoppedWhilePingOutstanding_noTimeout() {
    KeepAlivePinger pinger = started(false);
    advanceBy(TIME);
    pinger.stop();
    advanceBy(TIMEOUT);
    assertEquals(0, conn.timeouts);
  }

  // ---------------------------------------------------------------- inside the handlers

  /** Records what a ClientHandler reports to its channel. */
  static final class RecordingLifecycle implements ClientHandler.Lifecycle {
    int ready;
    final List<String> goAways = new ArrayList<>();
    int closed;

    @Override
    public void ready(ClientHandler handler) {
      ready++;
    }

    @Override
    public void goAway(ClientHandler handler, long errorCode, String debugData) {
      goAways.add(errorCode + ":" + debugData);
    }

    @Override
    public void closed(ClientHandler handler) {
      closed++;
    }
  }

  @Test
  void clientHandler_idleWithoutCalls_pingsAtKeepAliveTime_peerAcks_connectionStaysOpen() {
    RecordingLifecycle lifecycle = new RecordingLifecycle();
    ClientHandler handler = ClientHandler.create(EmbeddedFixtures.clientSettings(), false,
        lifecycle, TIME, TIMEOUT, true);
    EmbeddedChannel client = EmbeddedFixtures.channel(ticker, handler);
    RawHttp2Connection server = EmbeddedFixtures.rawServer(ticker);
    try {
      server.exchange(client);
      assertEquals(1, lifecycle.ready);
      advance(ticker, TIME - 1, client);
      server.exchange(client);
      assertEquals(null, server.poll(f -> f.type() == RawFrame.Type.PING));
      advance(ticker, 1, client);
      server.exchange(client); // the PING goes out; the peer's codec ACKs it
      RawFrame ping = server.poll(f -> f.type() == RawFrame.Type.PING && !f.isAck());
      assertNotNull(ping);
      assertEquals(KeepAlivePinger.PING_DATA, ping.pingContent());
      advance(ticker, TIMEOUT, client);
      server.exchange(client);
      assertTrue(client.isOpen());
      assertEquals(0, lifecycle.closed);
    } finally {
      server.close();
      client.finishAndReleaseAll();
    }
  }

  @Test
  void clientHandler_pingUnanswered_timeoutClosesConnection_reasonSaysKeepalive() {
    RecordingLifecycle lifecycle = new RecordingLifecycle();
    ClientHandler handler = ClientHandler.create(EmbeddedFixtures.clientSettings(), false,
        lifecycle, TIME, TIMEOUT, true);
    EmbeddedChannel client = EmbeddedFixtures.channel(ticker, handler);
    RawHttp2Connection server = EmbeddedFixtures.rawServer(ticker);
    try {
      server.exchange(client);
      advance(ticker, TIME, client); // PING written; the peer never hears of it (no exchange)
      advance(ticker, TIMEOUT, client);
      assertFalse(client.isOpen());
      assertEquals(1, lifecycle.closed);
      assertTrue(handler.closeReason().startsWith("Keepalive failed"), handler.closeReason());
    } finally {
      server.close();
      client.finishAndReleaseAll();
    }
  }

  @Test
  void serverHandler_keepAliveTime_pingsClient_unanswered_closesAfterTimeout() {
    EmbeddedFixtures.Limits limits = new EmbeddedFixtures.Limits();
    limits.keepAliveTime = TIME;
    limits.keepAliveTimeout = TIMEOUT;
    EmbeddedChannel serverCh = EmbeddedFixtures.channel(ticker,
        ServerHandler.create(EmbeddedFixtures.serverSettings(limits)));
    RawHttp2Connection client = EmbeddedFixtures.rawClient(ticker);
    try {
      client.exchange(serverCh);
      advance(ticker, TIME, serverCh);
      client.exchange(serverCh); // PING and its ACK: the server read something
      assertNotNull(client.poll(f -> f.type() == RawFrame.Type.PING && !f.isAck()));
      advance(ticker, TIMEOUT, serverCh);
      assertTrue(serverCh.isOpen(), "the ACK kept the connection");
      advance(ticker, TIME - TIMEOUT, serverCh); // second PING; this time the client is silent
      advance(ticker, TIMEOUT, serverCh);
      assertFalse(serverCh.isOpen());
    } finally {
      client.close();
      serverCh.finishAndReleaseAll();
    }
  }
}
