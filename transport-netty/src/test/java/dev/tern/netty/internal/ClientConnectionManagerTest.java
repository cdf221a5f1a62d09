package dev.tern.netty.internal;

import static dev.tern.netty.internal.EmbeddedFixtures.advance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.ConnectivityState;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.testing.RawHttp2Connection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientConnectionManager}, grpc doc/connectivity-semantics-and-api.md and
 * doc/connection-backoff.md, without sockets: each connection attempt is an EmbeddedChannel the
 * test makes succeed (the scripted server's SETTINGS arrive), fail (as TCP would) or hang; the
 * reconnect timer runs on a mock clock. Backoff has no jitter (random 0.5), so the waits are
 * exactly 1 s, 1.6 s, 2.56 s... Each test name is the interleaving it checks.
 */
class ClientConnectionManagerTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  private final MockTicker ticker = Ticker.newMockTicker();
  /** The manager's timer loop (reconnect backoff). */
  private final EmbeddedChannel timers = EmbeddedChannel.builder().ticker(ticker).build();
  private final List<Attempt> attempts = new ArrayList<>();
  private final List<ConnectivityState> states = new ArrayList<>();
  private ClientConnectionManager manager = newManager(Long.MAX_VALUE);

  /** One connection attempt: a channel the handler joins once "TCP" is up. */
  private final class Attempt {
    final ClientHandler handler;
    final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();
    final CompletableFuture<ClientHandler> setup;
    final int timeoutMillis;
    RawHttp2Connection server;

    Attempt(ClientHandler handler, CompletableFuture<ClientHandler> setup, int timeoutMillis) {
      this.handler = handler;
      this.setup = setup;
      this.timeoutMillis = timeoutMillis;
    }

    /** TCP connects and the scripted server answers the preface with its SETTINGS. */
    void succeed() {
      channel.pipeline().addLast(handler);
      server = EmbeddedFixtures.rawServer(ticker);
      server.exchange(channel);
    }

    /** TCP fails, as a refused connection does. */
    void fail() {
      setup.completeExceptionally(new ConnectException("Connection refused"));
      channel.close();
      channel.runPendingTasks();
    }

    /** Lets time pass on this attempt's loop (its connect timeout). */
    void advanceBy(long nanos) {
      advance(ticker, nanos, channel);
    }

    void release() {
      if (server != null) {
        server.close();
      }
      channel.finishAndReleaseAll();
    }
  }

  private ClientConnectionManager newManager(long keepAliveTimeNanos) {
    ClientConnectionManager.Connector connector = (handler, timeoutMillis, setup) -> {
      Attempt a = new Attempt(handler, setup, timeoutMillis);
      attempts.add(a);
      return a.channel;
    };
    return new ClientConnectionManager(EmbeddedFixtures.clientSettings(), false, connector,
        timers.eventLoop(), Runnable::run, "test-target",
        new ClientConnectionManager.KeepAlive(keepAliveTimeNanos, 20 * S, false),
        new ConnectionBackoff(() -> 0.5));
  }

  @AfterEach
  void tearDown() {
    manager.shutdown(true);
    for (Attempt a : attempts) {
      a.channel.runPendingTasks();
      a.release();
    }
    timers.finishAndReleaseAll();
  }

  /** Records every state the manager passes through, by re-arming its watcher. */
  private void watchStates() {
    ConnectivityState now = manager.getState(false);
    manager.notifyWhenStateChanged(now, () -> {
      states.add(manager.getState(false));
      watchStates();
    });
  }

  private void advanceTimers(long nanos) {
    advance(ticker, nanos, timers);
  }

  private Attempt last() {
    return attempts.get(attempts.size() - 1);
  }

  private static Status statusOf(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return ((StatusRuntimeException) e.getCause()).getStatus();
  }

  // ---------------------------------------------------------------- connecting

  @Test
  void idle_callNeedsTransport_connecting_serverSettings_ready_callServed() {
    watchStates();
    assertEquals(ConnectivityState.IDLE, manager.getState(false));
    assertEquals(0, attempts.size(), "nothing connects before a call needs it");
    CompletableFuture<ClientHandler> t = manager.transport(false);
    assertEquals(List.of(ConnectivityState.CONNECTING), states);
    assertEquals(1, attempts.size());
    assertEquals(20_000, last().timeoutMillis, "MIN_CONNECT_TIMEOUT");
    assertFalse(t.isDone());
    last().succeed();
    assertEquals(List.of(ConnectivityState.CONNECTING, ConnectivityState.READY), states);
    assertSame(last().handler, t.join());
    assertSame(last().handler, manager.transport(false).join(), "READY: served at once");
    assertEquals(1, attempts.size());
  }

  @Test
  void getStateWithRequestConnection_idleToConnecting_withoutACall() {
    assertEquals(ConnectivityState.CONNECTING, manager.getState(true),
        "the state after the request");
    assertEquals(ConnectivityState.CONNECTING, manager.getState(false));
    assertEquals(1, attempts.size());
  }

  @Test
  void twoCallsWhileConnecting_oneAttempt_bothServedWhenReady() {
    CompletableFuture<ClientHandler> a = manager.transport(false);
    CompletableFuture<ClientHandler> b = manager.transport(true);
    assertEquals(1, attempts.size());
    last().succeed();
    assertSame(a.join(), b.join());
  }

  @Test
  void connectFails_transientFailure_failFastCallFailsUnavailable_waitForReadyCallWaits() {
    watchStates();
    CompletableFuture<ClientHandler> failFast = manager.transport(false);
    CompletableFuture<ClientHandler> waitForReady = manager.transport(true);
    last().fail();
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, manager.getState(false));
    assertEquals(List.of(ConnectivityState.CONNECTING, ConnectivityState.TRANSIENT_FAILURE),
        states);
    Status status = statusOf(failFast);
    assertEquals(Status.Code.UNAVAILABLE, status.getCode());
    assertEquals("Connection refused", status.getDescription());
    assertFalse(waitForReady.isDone());
    // In TRANSIENT_FAILURE new fail-fast calls fail at once; wait-for-ready ones wait.
    assertEquals(Status.Code.UNAVAILABLE, statusOf(manager.transport(false)).getCode());
    assertFalse(manager.transport(true).isDone());
    assertEquals(1, attempts.size(), "no attempt before the backoff is over");
  }

  @Test
  void connectFails_backoffTimer1s_thenConnecting_secondAttemptSucceeds_waiterServed() {
    watchStates();
    CompletableFuture<ClientHandler> waiter = manager.transport(true);
    last().fail();
    advanceTimers(S - 1);
    assertEquals(1, attempts.size());
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, manager.getState(false));
    advanceTimers(1);
    assertEquals(2, attempts.size(), "INITIAL_BACKOFF is 1 s");
    assertEquals(ConnectivityState.CONNECTING, manager.getState(false));
    last().succeed();
    assertSame(last().handler, waiter.join());
    assertEquals(List.of(ConnectivityState.CONNECTING, ConnectivityState.TRANSIENT_FAILURE,
        ConnectivityState.CONNECTING, ConnectivityState.READY), states);
  }

  @Test
  void connectFailsRepeatedly_backoffGrows1s_1point6s_2point56s() {
    manager.transport(true);
    long[] waits = {S, (long) (1.6 * S), (long) (1.6 * 1.6 * S)};
    for (int i = 0; i < waits.length; i++) {
      last().fail();
      advanceTimers(waits[i] - 1);
      assertEquals(i + 1, attempts.size(), "attempt " + (i + 2) + " not before its backoff");
      advanceTimers(1);
      assertEquals(i + 2, attempts.size(), "attempt " + (i + 2) + " after " + waits[i]);
    }
  }

  @Test
  void connectFailsAfterHalfTheBackoff_waitsOnlyTheRest() {
    manager.transport(true);
    // The backoff counts from the start of the attempt (SleepUntil(current_deadline)).
    advanceTimers(S / 2);
    last().fail();
    advanceTimers(S / 2 - 1);
    assertEquals(1, attempts.size());
    advanceTimers(1);
    assertEquals(2, attempts.size());
  }

  @Test
  void connectFails_thenSucceeds_thenConnectionLost_nextFailureBacksOffFrom1sAgain() {
    manager.transport(true);
    last().fail();
    advanceTimers(S);
    last().fail();
    advanceTimers((long) (1.6 * S));
    last().succeed();
    EmbeddedFixtures.loseConnection(last().channel); // the READY connection is lost: IDLE
    assertEquals(ConnectivityState.IDLE, manager.getState(false));
    manager.transport(true);
    last().fail();
    advanceTimers(S - 1);
    assertEquals(4, attempts.size());
    advanceTimers(1);
    assertEquals(5, attempts.size(), "a success reset the backoff to 1 s");
  }

  @Test
  void connectHangs_minConnectTimeoutElapses_attemptFails_transientFailure() {
    CompletableFuture<ClientHandler> failFast = manager.transport(false);
    Attempt a = last();
    a.advanceBy(20 * S - 1);
    assertEquals(ConnectivityState.CONNECTING, manager.getState(false));
    a.advanceBy(1);
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, manager.getState(false));
    assertEquals("Connection to test-target timed out after 20000 ms",
        statusOf(failFast).getDescription());
    assertFalse(a.channel.isOpen());
  }

  @Test
  void waitForReadyCallGivesUp_whileInBackoff_notServedByTheNextConnection() {
    CompletableFuture<ClientHandler> gaveUp = manager.transport(true);
    last().fail();
    gaveUp.completeExceptionally(new IllegalStateException("deadline"));
    advanceTimers(S);
    CompletableFuture<ClientHandler> later = manager.transport(true);
    last().succeed();
    assertSame(last().handler, later.join());
    assertTrue(gaveUp.isCompletedExceptionally());
  }

  // ---------------------------------------------------------------- GOAWAY and loss

  @Test
  void ready_serverGoAway_idle_newCallOpensSecondConnection_firstKeepsItsStreams() {
    manager.transport(false);
    Attempt first = last();
    first.succeed();
    watchStates();
    first.server.goAway(Http2Error.NO_ERROR, "");
    first.server.exchange(first.channel);
    assertEquals(ConnectivityState.IDLE, manager.getState(false));
    assertFalse(first.handler.isUsable());
    assertEquals(1, attempts.size(), "GOAWAY alone does not reconnect");
    CompletableFuture<ClientHandler> next = manager.transport(false);
    assertEquals(2, attempts.size());
    last().succeed();
    assertSame(last().handler, next.join());
    assertTrue(first.channel.isOpen(), "the old connection drains its calls");
    assertEquals(List.of(ConnectivityState.IDLE, ConnectivityState.CONNECTING,
        ConnectivityState.READY), states);
  }

  @Test
  void ready_connectionLost_idle_noReconnectWithoutCalls() {
    manager.transport(false);
    last().succeed();
    EmbeddedFixtures.loseConnection(last().channel);
    assertEquals(ConnectivityState.IDLE, manager.getState(false));
    advanceTimers(10 * S);
    assertEquals(1, attempts.size());
  }

  @Test
  void ready_serverGoAwayTooManyPings_keepAliveTimeOfNewConnectionsDoubles() {
    manager = newManager(10 * S);
    manager.transport(false);
    last().succeed();
    assertEquals(10 * S, manager.keepAliveTimeNanos());
    last().server.goAway(Http2Error.ENHANCE_YOUR_CALM, "too_many_pings");
    last().server.exchange(last().channel);
    assertEquals(20 * S, manager.keepAliveTimeNanos());
  }

  @Test
  void ready_serverGoAwayOtherCalm_keepAliveTimeUnchanged() {
    manager = newManager(10 * S);
    manager.transport(false);
    last().succeed();
    last().server.goAway(Http2Error.ENHANCE_YOUR_CALM, "too_many_resets");
    last().server.exchange(last().channel);
    assertEquals(10 * S, manager.keepAliveTimeNanos());
  }

  // ---------------------------------------------------------------- shutdown

  @Test
  void connecting_shutdown_waitersFailUnavailable_lateSuccessClosesTheConnection() {
    CompletableFuture<ClientHandler> waiter = manager.transport(true);
    Attempt a = last();
    manager.shutdown(false);
    assertEquals(ConnectivityState.SHUTDOWN, manager.getState(false));
    assertEquals("Channel shut down", statusOf(waiter).getDescription());
    assertEquals("Channel shut down", statusOf(manager.transport(true)).getDescription());
    a.succeed();
    a.channel.runPendingTasks();
    assertFalse(a.channel.isOpen());
    assertTrue(manager.isTerminated());
  }

  @Test
  void transientFailure_shutdown_backoffTimerCancelled_noMoreAttempts() {
    manager.transport(true);
    last().fail();
    manager.shutdown(false);
    advanceTimers(10 * S);
    assertEquals(1, attempts.size());
    assertTrue(manager.isTerminated());
  }

  @Test
  void ready_shutdown_connectionClosesGracefully_terminatedWhenClosed() {
    manager.transport(false);
    Attempt a = last();
    a.succeed();
    manager.shutdown(false);
    a.channel.runPendingTasks();
    a.server.exchange(a.channel);
    assertFalse(a.channel.isOpen(), "no calls: the graceful close completes at once");
    assertTrue(manager.isTerminated());
  }

  @Test
  void stateWatcher_registeredForOtherState_runsAtOnce() {
    List<String> ran = new ArrayList<>();
    manager.notifyWhenStateChanged(ConnectivityState.READY, () -> ran.add("now"));
    assertEquals(List.of("now"), ran);
  }

  /** The connector contract: a channel it returns before failing is what the manager closes. */
  @Test
  void connectorThrows_attemptFailsAtOnce_transientFailure() {
    manager = new ClientConnectionManager(EmbeddedFixtures.clientSettings(), false,
        (handler, timeoutMillis, setup) -> {
          throw new IllegalStateException("event loop group shut down");
        }, timers.eventLoop(), Runnable::run, "test-target",
        new ClientConnectionManager.KeepAlive(Long.MAX_VALUE, 20 * S, false),
        new ConnectionBackoff(() -> 0.5));
    CompletableFuture<ClientHandler> t = manager.transport(false);
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, manager.getState(false));
    assertTrue(statusOf(t).getDescription().contains("event loop group shut down"));
  }
}
