package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.IntConsumer;

/**
 * The one retry engine (gRFC A6): runs a call as a series of {@link ClientAttempt}s and decides,
 * when one ends, whether another starts. Transparent retries, retry policies and hedging share one
 * replay buffer of framed request messages (retained duplicates of the bytes sent: no copies),
 * bounded by {@link ClientSettings#replayBufferLimit} for all attempts together.
 *
 * <p><b>Commit</b>: the call commits to one attempt, and no other starts, when that attempt
 * receives response headers or a message, when the replay buffer grows past its limit, or when
 * the application cancels. Committing releases the buffer and cancels the other attempts
 * (hedges).
 *
 * <p><b>After an uncommitted attempt fails</b>, in this order ({@link RetryPlanner} has the
 * rules):
 * <ol>
 *   <li><em>transparent retry</em>: a stream the server never processed (never sent, refused
 *       with REFUSED_STREAM per RFC 9113 §8.7, above a GOAWAY's last-stream-id) starts again at
 *       once with the same {@code grpc-previous-rpc-attempts}; refusals at most
 *       {@value RetryPlanner#MAX_REFUSED_RETRIES} times per call; it counts against no policy;
 *   <li><em>retry policy</em>: a retryable code, attempts left, the throttle allowing, no
 *       negative pushback, and the backoff (or the server's {@code grpc-retry-pushback-ms})
 *       ending before the deadline: the next attempt starts after it;
 *   <li><em>hedging policy</em>: a non-fatal code lets the next hedge start at once (or after
 *       the pushback; a negative one stops hedging); a fatal code ends the call and cancels the
 *       other hedges; the last attempt's failure is the call's;
 *   <li>otherwise the attempt's status is the call's.
 * </ol>
 *
 * <p>States, every transition in {@link #moveTo}: OPEN (attempts may follow) → COMMITTED (one
 * attempt is the call's; with no attempt live, the next one started is) → CLOSED (the outcome
 * was handed to the call); OPEN → CLOSED directly when an outcome is final.
 *
 * <p>The live attempts are kept by its base class, {@link LiveAttempts}.
 *
 * <p>Thread rule: state is guarded by this object's monitor. The application calls in from its
 * thread, attempts from their event loops, timers from the scheduler. Attempts are told to write
 * under the monitor (that keeps each attempt's writes in order) but are cancelled and started, and
 * the call's listener is called, outside it.
 */
final class RetriableCall extends LiveAttempts implements AttemptEvents {
  private static final DoubleSupplier RANDOM = () -> ThreadLocalRandom.current().nextDouble();
  /**
   * What the attempts a call no longer needs are cancelled with; made once (Status is immutable),
   * not on every commit or close, where there is rarely any such attempt.
   */
  private static final Status COMMITTED_ELSEWHERE =
      Status.CANCELLED.withDescription("Another attempt of the call committed");
  private static final Status ENDED_ELSEWHERE =
      Status.CANCELLED.withDescription("The call ended with another attempt");

  /** The engine's life; see the class comment. */
  enum State { OPEN, COMMITTED, CLOSED }

  private final EngineListener listener;
  private final AttemptFactory attempts;
  /**
   * A6's rules; null until a policy-less call first fails (most calls never need one). Guarded
   * by this.
   */
  private RetryPlanner planner;
  private final ScheduledExecutorService scheduler;
  /** Whether some attempt has a stream (isReady holds only then). */
  private volatile boolean streamReady;

  // Guarded by this.
  private State state = State.OPEN;
  /** The attempt the call committed to; volatile for the per-message fast path. */
  private volatile ClientAttempt committed;
  private final ReplayBuffer replay;
  private int requested;
  /** After a cancel: the attempt whose end reports the call's outcome, and that outcome. */
  private ClientAttempt closer;
  private Status cancelStatus;
  /** The backoff or hedging timer; null until the first is scheduled (most calls never). */
  private RetryTimer timer;
  /** With hedging: the last non-fatal failure, the call's if no attempt follows. */
  private Status lastStatus;
  private Metadata lastTrailers;

  RetriableCall(EngineListener listener, AttemptSpec spec, MethodDescriptor<?, ?> method,
      CallOptions callOptions, String authority, RetryConfig config,
      ScheduledExecutorService scheduler, Metadata appHeaders, Http2Headers firstHeaders) {
    this.listener = listener;
    this.attempts = new AttemptFactory(listener, spec, method, callOptions, authority,
        config.tracerFactories(), appHeaders, firstHeaders);
    if (config.retryPolicy() != null || config.hedgingPolicy() != null
        || config.throttle() != null) {
      this.planner = new RetryPlanner(config.retryPolicy(), config.hedgingPolicy(),
          config.throttle(), spec.deadline(), RANDOM);
    }
    this.replay = new ReplayBuffer(config.bufferLimit());
    this.scheduler = scheduler;
  }

  /**
   * The planner; a call without policy or throttle gets its own only when an attempt fails, with
   * the one attempt it started counted (only transparent retries can follow). Caller holds the
   * monitor.
   */
  private RetryPlanner planner() {
    if (planner == null) {
      planner = new RetryPlanner(null, null, null, attempts.spec().deadline(), RANDOM);
      planner.attemptStarted(false);
    }
    return planner;
  }

  /** Every transition of {@link State}; caller holds the monitor. */
  private void moveTo(State next) {
    if (state == State.CLOSED || next == State.OPEN) {
      throw new IllegalStateException("engine " + state + " -> " + next);
    }
    state = next;
  }

  boolean isStreamReady() {
    return streamReady;
  }

  // ---------------------------------------------------------------- from the call

  /** Starts the first attempt (and, with hedging, the hedging timer). */
  void start() {
    ClientAttempt first;
    synchronized (this) {
      first = newAttempt(0, false);
      scheduleNextHedge();
    }
    first.start(listener.connection());
  }

  /**
   * Sends a framed message (taking ownership of {@code frame}) on every live attempt and keeps
   * it for later ones.
   */
  void sendMessage(ByteBuf frame, int uncompressedSize) {
    int bytes = frame.readableBytes();
    List<ClientAttempt> losers = null;
    synchronized (this) {
      // Kept first, before any attempt's event loop can read the frame: the buffer notes where
      // the message starts and replays slices of it.
      boolean overLimit = replay.isOpen() && state != State.CLOSED
          && replay.add(frame, uncompressedSize);
      int n = state == State.CLOSED ? 0 : liveCount();
      if (n > 0) {
        // The first attempt's write carries the send-buffer accounting; copies carry none.
        attempts.spec().writer().account(bytes);
      }
      for (int i = 0; i < n; i++) {
        // The last attempt writes the frame itself, so that its duplicates exist before it goes.
        ByteBuf copy = i == n - 1 ? frame : frame.retainedDuplicate();
        liveAt(i).write(copy, uncompressedSize, i == 0 ? bytes : 0);
      }
      if (n == 0) {
        frame.release();
      }
      if (overLimit && state == State.OPEN) {
        // gRFC A6: past the buffer limit the call commits; with no attempt live, to the next.
        losers = n == 0 ? commitToNext() : commit(liveAt(0));
      }
    }
    cancelAll(losers, COMMITTED_ELSEWHERE);
  }

  void halfClose() {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      replay.halfClose();
      for (int i = 0, n = liveCount(); i < n; i++) {
        liveAt(i).halfClose();
      }
    }
  }

  void request(int n) {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      // A later attempt's reader starts with all of them.
      requested = (int) Math.min(Integer.MAX_VALUE, (long) requested + n);
      for (int i = 0, live = liveCount(); i < live; i++) {
        liveAt(i).request(n);
      }
    }
  }

  /** Ends the call with {@code status} now: cancels every attempt and any pending one. */
  void cancel(Status status) {
    List<ClientAttempt> attemptsToCancel;
    boolean now;
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      // The call's outcome is reported when its first live attempt has ended, on that attempt's
      // thread (its event loop): with directExecutor the listener then never hears onClose
      // while that loop may still be calling it. With no attempt live, at once.
      closer = liveCount() == 0 ? null : liveAt(0);
      cancelStatus = status;
      now = closer == null;
      attemptsToCancel = close();
    }
    cancelAll(attemptsToCancel, status);
    if (now) {
      listener.onClose(status, new Metadata());
    }
  }

  // ---------------------------------------------------------------- from attempts

  @Override
  public void streamCreated(ClientAttempt attempt) {
    if (isLive(attempt)) {
      streamReady = true;
      listener.onReady();
    }
  }

  @Override
  public void ready(ClientAttempt attempt) {
    if (isLive(attempt)) {
      listener.onReady();
    }
  }

  @Override
  public void afterDelivered(ClientAttempt attempt, Runnable task) {
    listener.afterDelivered(task);
  }

  private synchronized boolean isLive(ClientAttempt attempt) {
    return state != State.CLOSED && isLiveAttempt(attempt);
  }

  @Override
  public void headersReceived(ClientAttempt attempt, Metadata headers) {
    if (commitTo(attempt)) {
      listener.onHeaders(headers);
    }
  }

  @Override
  public void messageReceived(ClientAttempt attempt, ByteBuf message, boolean compressed,
      int wireSize, int seqNo, int credit, boolean readAhead) {
    if (commitTo(attempt)) {
      listener.onMessage(attempt, message, compressed, wireSize, seqNo, credit, readAhead);
    } else {
      message.release();
    }
  }

  /** An attempt received something: the call commits to it. Returns whether it is the call's. */
  private boolean commitTo(ClientAttempt attempt) {
    if (committed == attempt) {
      return true; // every response message after the first: no lock
    }
    List<ClientAttempt> losers;
    synchronized (this) {
      if (state == State.CLOSED || !isLiveAttempt(attempt)) {
        return false;
      }
      if (state == State.COMMITTED) {
        return committed == attempt;
      }
      losers = commit(attempt);
    }
    cancelAll(losers, COMMITTED_ELSEWHERE);
    return true;
  }

  @Override
  public void closed(ClientAttempt attempt, Status status, Metadata trailers,
      ClientAttempt.Reach reach) {
    ClientAttempt next = null;
    List<ClientAttempt> others = null;
    boolean deliver = false;
    synchronized (this) {
      if (attempt == closer) {
        closer = null;
        status = cancelStatus;
        trailers = new Metadata();
        deliver = true;
      } else if (!removeLive(attempt) || state == State.CLOSED) {
        return; // cancelled as a loser, or the call already ended
      } else if (state == State.COMMITTED || status.isOk()) {
        others = close();
        deliver = true;
      } else if (planner().transparentRetry(reach)) {
        next = newAttempt(attempt.previousAttempts(), true);
      } else if (planner().isHedging()) {
        next = afterHedgeFailure(status, trailers);
        if (state == State.CLOSED) {
          others = drainLive();
          deliver = true;
        }
      } else {
        long delay = planner().retryDelayNanos(status, trailers);
        if (delay != RetryPlanner.NO_RETRY && scheduleTimer(this::retryNow, delay)) {
          return;
        }
        others = close();
        deliver = true;
      }
    }
    cancelAll(others, ENDED_ELSEWHERE);
    if (next != null) {
      next.start(listener.connection());
    }
    if (deliver) {
      if (status.isOk()) {
        synchronized (this) {
          if (planner != null) {
            planner.succeeded();
          }
        }
      }
      listener.onClose(status, trailers);
    }
  }

  // ---------------------------------------------------------------- acting on decisions

  /**
   * A hedge failed, uncommitted. Returns the attempt to start now, or null; moves to CLOSED when
   * {@code status} is the call's outcome.
   */
  private ClientAttempt afterHedgeFailure(Status status, Metadata trailers) {
    lastStatus = status;
    lastTrailers = trailers;
    switch (planner.afterHedgeFailure(status, trailers)) {
      case FATAL:
        moveTo(State.CLOSED); // this status is the call's; the others are cancelled
        return null;
      case NEXT_NOW:
        cancelTimer();
        ClientAttempt next = newAttempt(planner.attempts(), false);
        scheduleNextHedge();
        return next;
      case NEXT_AFTER_PUSHBACK:
        cancelTimer();
        if (scheduleTimer(this::hedgeNow, planner.pushbackNanos())) {
          return null;
        }
        break;
      default:
        break;
    }
    if (planner.hedgingStopped()) {
      cancelTimer();
    }
    if (liveCount() == 0) {
      // No attempt is out and none may start now: this failure is the call's.
      moveTo(State.CLOSED);
    }
    return null;
  }

  /** With hedging, and attempts left: the timer for the next hedge. */
  private void scheduleNextHedge() {
    if (planner == null) {
      return; // no policy: no hedges
    }
    long delay = planner.nextHedgeDelayNanos();
    if (state == State.OPEN && delay != RetryPlanner.NO_RETRY) {
      scheduleTimer(this::hedgeNow, delay);
    }
  }

  /** The hedging timer: the next hedge, if the policy and throttle still allow one. */
  private void hedgeNow(int generation) {
    ClientAttempt next = null;
    List<ClientAttempt> none = null;
    Status status = null;
    Metadata trailers = null;
    synchronized (this) {
      if (!timer.fired(generation)) {
        return;
      }
      if (state == State.CLOSED || committed != null) {
        return;
      }
      if (planner.mayHedgeNow()) {
        next = newAttempt(planner.attempts(), false);
        scheduleNextHedge();
      } else if (liveCount() == 0 && lastStatus != null) {
        none = close();
        status = lastStatus;
        trailers = lastTrailers;
      }
    }
    if (next != null) {
      next.start(listener.connection());
    } else if (status != null) {
      cancelAll(none, status);
      listener.onClose(status, trailers);
    }
  }

  /** The backoff timer of a retry policy. */
  private void retryNow(int generation) {
    ClientAttempt next;
    synchronized (this) {
      if (!timer.fired(generation)) {
        return;
      }
      if (state == State.CLOSED) {
        return; // cancel() already ended the call
      }
      next = newAttempt(planner.attempts(), false);
    }
    next.start(listener.connection());
  }

  /** Schedules {@code task}; false if the scheduler is shut down (the call then ends). */
  private boolean scheduleTimer(IntConsumer task, long delayNanos) {
    if (timer == null) {
      timer = new RetryTimer(scheduler);
    }
    return timer.schedule(task, delayNanos);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
    }
  }

  /**
   * Creates attempt number {@code previous} (+1), live, with the buffer replayed into it; the
   * caller starts it outside the monitor.
   */
  private ClientAttempt newAttempt(int previous, boolean transparent) {
    if (planner != null) {
      planner.attemptStarted(transparent); // (a lazily made planner counts the first itself)
    }
    ClientAttempt attempt = attempts.create(this, previous, transparent, requested);
    addLive(attempt);
    replay.replayInto(attempt);
    if (state == State.COMMITTED && committed == null) {
      committed = attempt; // the buffer overflowed while no attempt was live
      replay.release();
    }
    return attempt;
  }

  /** Commits to {@code winner}; returns the other live attempts, to be cancelled. */
  private List<ClientAttempt> commit(ClientAttempt winner) {
    moveTo(State.COMMITTED);
    committed = winner;
    replay.release();
    // A backoff cannot be pending with an attempt live; a hedging timer can.
    cancelTimer();
    List<ClientAttempt> losers = null;
    for (int i = 0, n = liveCount(); i < n; i++) {
      ClientAttempt a = liveAt(i);
      if (a != winner) {
        if (losers == null) {
          losers = new ArrayList<>(n);
        }
        losers.add(a);
      }
    }
    clearLive();
    addLive(winner);
    return losers;
  }

  /** The buffer overflowed with no attempt live: the next one started is the call's. */
  private List<ClientAttempt> commitToNext() {
    moveTo(State.COMMITTED);
    committed = null;
    return null;
  }

  /** Ends the engine; returns the attempts still live, to be cancelled. */
  private List<ClientAttempt> close() {
    if (state != State.CLOSED) {
      moveTo(State.CLOSED);
    }
    return drainLive();
  }

  private List<ClientAttempt> drainLive() {
    replay.release();
    cancelTimer();
    return takeAllLive();
  }

  private static void cancelAll(List<ClientAttempt> attempts, Status status) {
    if (attempts != null) {
      for (ClientAttempt a : attempts) {
        a.cancel(status);
      }
    }
  }
}
