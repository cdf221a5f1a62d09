package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.ConnectivityState;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A channel's connection to its server and the channel's connectivity state (grpc
 * doc/connectivity-semantics-and-api.md): IDLE until a call needs a connection, CONNECTING while
 * one is made (TCP, TLS, and the server's first SETTINGS), READY once it is up, back to IDLE when
 * the server says GOAWAY or the connection is lost, TRANSIENT_FAILURE when an attempt fails, after
 * which the next attempt waits for the backoff of grpc doc/connection-backoff.md
 * ({@link ConnectionBackoff}); SHUTDOWN at the end.
 *
 * <p>Calls ask for a transport with {@link #transport}: they get the READY connection, or wait for
 * the next one; in TRANSIENT_FAILURE a call fails at once with UNAVAILABLE unless it is
 * wait-for-ready, in which case it waits for a connection (or its deadline, or cancellation,
 * which complete the returned future themselves).
 *
 * <p>Also keeps the keepalive time of new connections, doubled each time the server answers
 * GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings") (grpc doc/keepalive.md, as grpc-java does).
 *
 * <p>Thread-safe: state changes under one lock; futures and state callbacks run outside it.
 */
public final class ClientConnectionManager implements ClientHandler.Lifecycle, ChannelTransports {
  private static final System.Logger LOG =
      System.getLogger(ClientConnectionManager.class.getName());

  /** Opens connections: TCP, and TLS when the channel uses it. */
  public interface Connector {
    /**
     * Starts connecting and returns the new Netty channel. {@code handler} is to be added to its
     * pipeline (after TLS, if any); {@code setup} is completed exceptionally, with a readable
     * reason, if the connection fails before that.
     */
    Channel connect(ClientHandler handler, int connectTimeoutMillis,
        CompletableFuture<ClientHandler> setup);
  }

  /** Keepalive of the channel's connections (gRFC A8). Immutable. */
  public static final class KeepAlive {
    final long timeNanos;
    final long timeoutNanos;
    final boolean withoutCalls;

    public KeepAlive(long timeNanos, long timeoutNanos, boolean withoutCalls) {
      this.timeNanos = timeNanos;
      this.timeoutNanos = timeoutNanos;
      this.withoutCalls = withoutCalls;
    }
  }

  /** A call waiting for a connection; guarded by the manager's lock, completed outside it. */
  private static final class Waiter {
    final CompletableFuture<ClientHandler> future;
    final boolean waitForReady;

    Waiter(CompletableFuture<ClientHandler> future, boolean waitForReady) {
      this.future = future;
      this.waitForReady = waitForReady;
    }
  }

  private final ClientSettings settings;
  private final boolean tls;
  private final Connector connector;
  private final EventLoopGroup timers;
  /** The clock of {@link #timers}, so that backoff deadlines and the timers agree. */
  private final Ticker ticker;
  private final Executor callbackExecutor;
  private final String target;
  private final long keepAliveTimeoutNanos;
  private final boolean keepAliveWithoutCalls;
  private final Object lock = new Object();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  /** Told (outside the lock) after every state change; the subchannel of a load balancer. */
  private volatile Runnable stateListener;

  // Guarded by lock.
  private final ConnectionBackoff backoff;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private final Set<ClientHandler> live = new HashSet<>();
  private List<Runnable> stateWatchers = new ArrayList<>();
  private ConnectivityState state = ConnectivityState.IDLE;
  private ClientHandler ready;
  /** {@link #ready} for the lock-free fast path of {@link #transport}. */
  private volatile ClientHandler readyFast;
  private ClientHandler connecting;
  private Status lastFailure;
  private ScheduledFuture<?> reconnectTimer;
  private long keepAliveTimeNanos;
  private boolean shutdown;

  public ClientConnectionManager(ClientSettings settings, boolean tls, Connector connector,
      EventLoopGroup timers, Executor callbackExecutor, String target, KeepAlive keepAlive) {
    this(settings, tls, connector, timers, callbackExecutor, target, keepAlive,
        new ConnectionBackoff(() -> ThreadLocalRandom.current().nextDouble()));
  }

  ClientConnectionManager(ClientSettings settings, boolean tls, Connector connector,
      EventLoopGroup timers, Executor callbackExecutor, String target, KeepAlive keepAlive,
      ConnectionBackoff backoff) {
    this.settings = settings;
    this.tls = tls;
    this.connector = connector;
    this.timers = timers;
    this.ticker = timers.next().ticker();
    this.callbackExecutor = callbackExecutor;
    this.target = target;
    this.keepAliveTimeNanos = keepAlive.timeNanos;
    this.keepAliveTimeoutNanos = keepAlive.timeoutNanos;
    this.keepAliveWithoutCalls = keepAlive.withoutCalls;
    this.backoff = backoff;
  }

  // ---------------------------------------------------------------- calls

  /**
   * A connection for a new stream. Completes with a READY connection; fails with UNAVAILABLE
   * (as a {@link dev.tern.StatusRuntimeException}) when the channel is shut down, or when an
   * attempt fails and {@code waitForReady} is false. A caller that gives up completes the future
   * itself (exceptionally), which withdraws it.
   */
  @Override
  public CompletableFuture<ClientHandler> transport(MethodDescriptor<?, ?> method,
      CallOptions options) {
    return transport(options.isWaitForReady());
  }

  /** The READY connection if it can take a stream now, else null; never waits or connects. */
  public ClientHandler readyTransport() {
    ClientHandler fast = readyFast;
    return fast != null && fast.isUsable() ? fast : null;
  }

  /** Why the last connection attempt failed (UNAVAILABLE), or null. */
  public Status lastFailure() {
    synchronized (lock) {
      return lastFailure;
    }
  }

  /**
   * Tells {@code listener} (outside the lock, on whichever thread changed it) after every state
   * change; it reads the state itself with {@code getState(false)}. Set before first use.
   */
  public void stateListener(Runnable listener) {
    this.stateListener = listener;
  }

  public CompletableFuture<ClientHandler> transport(boolean waitForReady) {
    ClientHandler fast = readyFast;
    if (fast != null && fast.isUsable()) {
      // The usual case, without the lock: calls from many threads do not contend.
      return fast.asFuture();
    }
    List<Runnable> after = new ArrayList<>(1);
    CompletableFuture<ClientHandler> result;
    synchronized (lock) {
      if (state == ConnectivityState.READY && !ready.isUsable()) {
        // The connection went away and its event has not arrived yet.
        readyLost(ready, after);
      }
      switch (state) {
        case SHUTDOWN:
          return CompletableFuture.failedFuture(
              Status.UNAVAILABLE.withDescription("Channel shut down").asRuntimeException());
        case READY:
          return CompletableFuture.completedFuture(ready);
        case TRANSIENT_FAILURE:
          if (!waitForReady) {
            return CompletableFuture.failedFuture(lastFailure.asRuntimeException());
          }
          break;
        default:
          break;
      }
      result = new CompletableFuture<>();
      if (waiters.size() >= 32) {
        // Callers that gave up (deadline, cancellation) completed their futures.
        waiters.removeIf(w -> w.future.isDone());
      }
      waiters.add(new Waiter(result, waitForReady));
      if (state == ConnectivityState.IDLE) {
        after.add(startConnect());
      }
    }
    runAll(after);
    return result;
  }

  // ---------------------------------------------------------------- connectivity state API

  /** The current state; from IDLE, {@code requestConnection} starts connecting. */
  public ConnectivityState getState(boolean requestConnection) {
    Runnable connect = null;
    ConnectivityState s;
    synchronized (lock) {
      if (requestConnection && state == ConnectivityState.IDLE) {
        connect = startConnect();
      }
      s = state;
    }
    if (connect != null) {
      connect.run();
    }
    return s;
  }

  /**
   * Runs {@code callback} once, on the channel's executor, when the state is no longer
   * {@code source}; at once if it already is not.
   */
  public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
    synchronized (lock) {
      if (state == source) {
        stateWatchers.add(callback);
        return;
      }
    }
    runCallback(callback);
  }

  // ---------------------------------------------------------------- shutdown

  /** SHUTDOWN: new calls fail; open connections close gracefully, or at once if {@code now}. */
  public void shutdown(boolean now) {
    List<Runnable> after = new ArrayList<>();
    List<ClientHandler> toClose;
    List<Waiter> failed;
    synchronized (lock) {
      if (shutdown && !now) {
        return;
      }
      shutdown = true;
      if (reconnectTimer != null) {
        reconnectTimer.cancel(false);
        reconnectTimer = null;
      }
      failed = new ArrayList<>(waiters);
      waiters.clear();
      setState(ConnectivityState.SHUTDOWN, after);
      ready = null;
      readyFast = null;
      toClose = new ArrayList<>(live);
      if (live.isEmpty()) {
        terminated.complete(null);
      }
    }
    Status status = Status.UNAVAILABLE.withDescription("Channel shut down");
    for (Waiter w : failed) {
      w.future.completeExceptionally(status.asRuntimeException());
    }
    for (ClientHandler h : toClose) {
      h.close(now || !h.isReady());
    }
    runAll(after);
  }

  public boolean isTerminated() {
    return terminated.isDone();
  }

  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      terminated.get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e); // never completed exceptionally
    }
  }

  /** Completes once shut down and every connection closed. */
  public CompletableFuture<Void> terminationFuture() {
    return terminated;
  }

  /** The keepalive time new connections use (doubled after each too_many_pings). */
  public long keepAliveTimeNanos() {
    synchronized (lock) {
      return keepAliveTimeNanos;
    }
  }

  // ---------------------------------------------------------------- connecting

  /** Moves to CONNECTING and returns the action that opens the connection (run it unlocked). */
  private Runnable startConnect() {
    List<Runnable> after = new ArrayList<>(1);
    setState(ConnectivityState.CONNECTING, after);
    long timeoutNanos = backoff.attemptStarted(ticker.nanoTime());
    ClientHandler handler = ClientHandler.create(settings, tls, this, keepAliveTimeNanos,
        keepAliveTimeoutNanos, keepAliveWithoutCalls);
    connecting = handler;
    live.add(handler);
    return () -> {
      runAll(after);
      open(handler, timeoutNanos);
    };
  }

  private void open(ClientHandler handler, long timeoutNanos) {
    CompletableFuture<ClientHandler> setup = new CompletableFuture<>();
    Channel ch;
    try {
      ch = connector.connect(handler, (int) Math.min(Integer.MAX_VALUE,
          TimeUnit.NANOSECONDS.toMillis(timeoutNanos)), setup);
    } catch (RuntimeException e) {
      // E.g. the event loop group was shut down.
      connectFailed(handler, "Cannot connect to " + target + ": " + e);
      return;
    }
    handler.channel(ch);
    setup.whenComplete((h, failure) -> {
      if (failure != null) {
        handler.connectFailed(failure instanceof IOException && failure.getMessage() != null
            ? failure.getMessage() : failure.toString());
      }
    });
    // The attempt, HTTP/2 handshake included, has this long (connection-backoff.md).
    ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> {
      if (!handler.isReady()) {
        handler.connectFailed("Connection to " + target + " timed out after "
            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        ch.close();
      }
    }, timeoutNanos, TimeUnit.NANOSECONDS);
    ch.closeFuture().addListener(f -> {
      timeout.cancel(false);
      if (!handler.sawActive()) {
        // Never connected (or TLS failed before HTTP/2): no channelInactive will report it.
        closed(handler);
      }
    });
  }

  // ---------------------------------------------------------------- ClientHandler.Lifecycle

  @Override
  public void ready(ClientHandler handler) {
    List<Runnable> after = new ArrayList<>(1);
    List<Waiter> served;
    boolean accepted = false;
    synchronized (lock) {
      if (handler != connecting || shutdown) {
        served = List.of();
      } else {
        accepted = true;
        connecting = null;
        ready = handler;
        readyFast = handler;
        backoff.reset();
        setState(ConnectivityState.READY, after);
        served = new ArrayList<>(waiters);
        waiters.clear();
      }
    }
    if (!accepted) {
      // Shut down (or superseded) while it connected.
      handler.close(true);
    }
    for (Waiter w : served) {
      w.future.complete(handler);
    }
    runAll(after);
  }

  @Override
  public void goAway(ClientHandler handler, long errorCode, String debugData) {
    List<Runnable> after = new ArrayList<>(1);
    synchronized (lock) {
      if (errorCode == io.netty.handler.codec.http2.Http2Error.ENHANCE_YOUR_CALM.code()
          && "too_many_pings".equals(debugData)
          && keepAliveTimeNanos != Long.MAX_VALUE) {
        // grpc doc/keepalive.md: the server thinks we ping too often; back off for good.
        keepAliveTimeNanos = keepAliveTimeNanos > Long.MAX_VALUE / 2
            ? Long.MAX_VALUE : keepAliveTimeNanos * 2;
        LOG.log(System.Logger.Level.WARNING, "{0} answered too_many_pings; keepalive time of"
            + " new connections raised to {1} s", target,
            TimeUnit.NANOSECONDS.toSeconds(keepAliveTimeNanos));
      }
      if (handler == ready) {
        readyLost(handler, after);
      }
    }
    runAll(after);
  }

  /** The connection's channel closed. */
  @Override
  public void closed(ClientHandler handler) {
    List<Runnable> after = new ArrayList<>(1);
    synchronized (lock) {
      live.remove(handler);
      if (handler == ready) {
        readyLost(handler, after);
      } else if (handler == connecting) {
        connecting = null;
        attemptFailed(handler.failureDescription(target), after);
      }
      if (shutdown && live.isEmpty()) {
        terminated.complete(null);
      }
    }
    runAll(after);
  }

  private void connectFailed(ClientHandler handler, String reason) {
    handler.connectFailed(reason);
    closed(handler);
  }

  /** The READY connection can take no new streams: IDLE, or connect again for those waiting. */
  private void readyLost(ClientHandler handler, List<Runnable> after) {
    ready = null;
    readyFast = null;
    if (shutdown) {
      return;
    }
    setState(ConnectivityState.IDLE, after);
    if (hasLiveWaiters()) {
      after.add(startConnect());
    }
  }

  private void attemptFailed(String reason, List<Runnable> after) {
    if (shutdown) {
      return;
    }
    lastFailure = Status.UNAVAILABLE.withDescription(reason);
    setState(ConnectivityState.TRANSIENT_FAILURE, after);
    List<Waiter> failed = new ArrayList<>();
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.future.isDone()) {
        it.remove();
      } else if (!w.waitForReady) {
        it.remove();
        failed.add(w);
      }
    }
    Status status = lastFailure;
    if (!failed.isEmpty()) {
      after.add(() -> {
        for (Waiter w : failed) {
          w.future.completeExceptionally(status.asRuntimeException());
        }
      });
    }
    long delay = backoff.delayAfterFailure(ticker.nanoTime());
    reconnectTimer = timers.next().schedule(this::reconnect, delay, TimeUnit.NANOSECONDS);
  }

  private void reconnect() {
    Runnable connect;
    synchronized (lock) {
      reconnectTimer = null;
      if (shutdown || state != ConnectivityState.TRANSIENT_FAILURE) {
        return;
      }
      backoff.beforeRetry(ticker.nanoTime());
      connect = startConnect();
    }
    connect.run();
  }

  private boolean hasLiveWaiters() {
    waiters.removeIf(w -> w.future.isDone());
    return !waiters.isEmpty();
  }

  /** Changes the state; the watchers of the old one are queued on {@code after}. */
  private void setState(ConnectivityState newState, List<Runnable> after) {
    if (state == newState) {
      return;
    }
    state = newState;
    Runnable listener = stateListener;
    if (listener != null) {
      after.add(listener);
    }
    if (!stateWatchers.isEmpty()) {
      List<Runnable> watchers = stateWatchers;
      stateWatchers = new ArrayList<>();
      after.add(() -> {
        for (Runnable r : watchers) {
          runCallback(r);
        }
      });
    }
  }

  private void runCallback(Runnable callback) {
    callbackExecutor.execute(() -> {
      try {
        callback.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "State listener threw", e);
      }
    });
  }

  private static void runAll(List<Runnable> actions) {
    for (Runnable r : actions) {
      r.run();
    }
  }
}
