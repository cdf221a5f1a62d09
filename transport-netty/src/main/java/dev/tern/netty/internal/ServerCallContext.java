package dev.tern.netty.internal;

import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Deadline;
import dev.tern.Status;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server call's {@link Context.CancellableContext} and what its deadline means: the context
 * carries the deadline the client sent in {@code grpc-timeout} (gRPC PROTOCOL-HTTP2.md "Timeout"),
 * its timer runs on the connection's event loop, and the statuses and causes the call reports
 * when it is cut short are worked out here.
 *
 * <p>Thread-safe: immutable apart from the context, which is itself thread-safe.
 */
final class ServerCallContext {
  /**
   * A client resets the stream with CANCEL both when its application cancels and when its deadline
   * passes; RST_STREAM cannot tell the two apart. Our deadline, taken from {@code grpc-timeout} as
   * the request arrived, runs later than the client's by the request's transit time, and the
   * reset travels about as long, so a reset caused by the client's deadline lands when ours is
   * about to pass. A CANCEL arriving with less than this left is therefore reported to the
   * handler (and to its downstream calls) as the deadline, not as a cancellation. The allowance
   * covers the difference between the two transit times plus timer jitter, not the latency
   * itself: on a quiet loopback that is about a millisecond, on a starved machine tens. A genuine
   * cancel this close to the deadline is reported as the deadline, which changes nothing but the
   * cause the handler sees: the client has decided its own status already.
   */
  static final long RESET_AT_DEADLINE_ALLOWANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);


  private final Context.CancellableContext context;
  // The decoded grpc-timeout, or -1 if the client sent none.
  private final long timeoutNanos;

  private ServerCallContext(Context.CancellableContext context, long timeoutNanos) {
    this.context = context;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * A context for a call whose decoded {@code grpc-timeout} is {@code timeoutNanos} (-1: none),
   * with its deadline timer on {@code loop}.
   */
  static ServerCallContext create(EventExecutor loop, long timeoutNanos) {
    if (timeoutNanos < 0) {
      return new ServerCallContext(Context.ROOT.withCancellation(), timeoutNanos);
    }
    try {
      return new ServerCallContext(Context.ROOT.withDeadline(
          Deadline.after(timeoutNanos, TimeUnit.NANOSECONDS, clockOf(loop)), loop), timeoutNanos);
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down: the call finds the context cancelled and ends.
      Context.CancellableContext c = Context.ROOT.withCancellation();
      c.cancel(Status.UNAVAILABLE.withDescription("Server shutting down").withCause(e)
          .asRuntimeException());
      return new ServerCallContext(c, timeoutNanos);
    }
  }

  /**
   * The clock of {@code loop}'s timers as a deadline's ticker: the deadline and the timer that
   * fires it then agree (System.nanoTime in production, a test's mock ticker on an
   * EmbeddedChannel). The system clock stays the one shared ticker, so deadlines compare.
   */
  static Deadline.Ticker clockOf(EventExecutor loop) {
    io.netty.util.concurrent.Ticker ticker = loop.ticker();
    if (ticker == io.netty.util.concurrent.Ticker.systemTicker()) {
      return Deadline.getSystemTicker();
    }
    return new Deadline.Ticker() {
      @Override
      public long nanoTime() {
        return ticker.nanoTime();
      }
    };
  }

  Context.CancellableContext context() {
    return context;
  }

  /** Whether the client sent a deadline. */
  boolean hasDeadline() {
    return timeoutNanos >= 0;
  }

  /** The status for a call whose context was cancelled: its deadline, or the handler's cause. */
  Status cancelledStatus() {
    if (context.cancellationCause() instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after "
          + ClientCallImpl.seconds(timeoutNanos) + " (grpc-timeout) on the server");
    }
    Status status = Contexts.statusFromCancelled(context);
    return status != null ? status : Status.CANCELLED;
  }

  /** What the context is cancelled with when the client resets the stream with {@code errorCode}. */
  Throwable resetCause(long errorCode) {
    Deadline deadline = context.getDeadline();
    if (errorCode == Http2Error.CANCEL.code() && deadline != null
        && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= RESET_AT_DEADLINE_ALLOWANCE_NANOS) {
      return new TimeoutException("deadline exceeded: the client reset the stream as the "
          + "deadline (grpc-timeout of " + ClientCallImpl.seconds(timeoutNanos) + ") passed");
    }
    // PROTOCOL-HTTP2.md "Errors": CANCEL -> CANCELLED, ENHANCE_YOUR_CALM -> RESOURCE_EXHAUSTED...
    return Http2Errors.statusForRstStream(errorCode).asRuntimeException();
  }

  /** The status a call cut short by {@code cause} (null: the connection closed) ended with. */
  static Status statusOf(Throwable cause) {
    if (cause == null) {
      return Status.CANCELLED.withDescription("Connection closed before the call completed");
    }
    if (cause instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(cause.getMessage());
    }
    return Status.fromThrowable(cause);
  }
}
