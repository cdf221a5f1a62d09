package dev.tern.retry;

import dev.tern.Attributes;
import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.Context;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Client retries as gRFC A6 describes them, for every call type.
 *
 * <p>A call is made of attempts. The outbound side of the call (messages, half-close, flow
 * control requests) is kept in a buffer and replayed on each new attempt, which also carries
 * {@code grpc-previous-rpc-attempts}. The call <em>commits</em> to its current attempt, and
 * retries stop, as soon as that attempt receives response headers or a message, when the
 * application cancels, or when the buffer grows past the per-call limit (default 1 MiB of
 * message bytes, as sized by {@link dev.tern.Marshaller#serializedSize}; messages of unknown size
 * count as empty). A failed, uncommitted attempt is retried when all of these hold:
 *
 * <ul>
 *   <li>its code is one of the {@link RetryPolicy}'s retryable codes and attempts are left;
 *   <li>the channel's {@link RetryThrottle}, if any, still allows retries;
 *   <li>the server did not refuse with a negative or malformed {@code grpc-retry-pushback-ms}
 *       (a valid pushback replaces the backoff for this retry and restarts the exponential
 *       sequence);
 *   <li>the next attempt would start before the call's deadline: the earlier of
 *       {@link CallOptions#getDeadline()} and the deadline of the {@link Context} current when
 *       the call was created. Deadlines propagate from the Context by default: every attempt is
 *       created inside that Context, so the transport applies its deadline to each attempt.
 * </ul>
 *
 * <p>Otherwise the attempt's status and trailers are the call's. Transparently retrying streams
 * the server never processed (REFUSED_STREAM, above a GOAWAY's last-stream-id) is the
 * transport's job, not this layer's; what reaches this layer is an ordinary attempt (such
 * failures arrive as UNAVAILABLE).
 *
 * <p>Interceptors outside this one see one call; each attempt is a call on the channel beneath,
 * which reports it to the call's {@link dev.tern.ClientStreamTracer}s. {@code TernChannel.Builder.retryPolicy} installs it beneath
 * the channel's interceptors. Thread-safe; one instance per channel (it owns the channel's
 * throttle).
 */
public final class RetryInterceptor implements ClientInterceptor {
  /** Sent on retries: how many attempts came before this one (A6). */
  public static final Metadata.Key<String> PREVIOUS_ATTEMPTS =
      Metadata.Key.ascii("grpc-previous-rpc-attempts");
  /** A trailer by which a server asks for a retry delay in ms, or (negative) for no retry. */
  public static final Metadata.Key<String> PUSHBACK = Metadata.Key.ascii("grpc-retry-pushback-ms");
  /** The default per-call replay buffer limit: 1 MiB of message bytes. */
  public static final long DEFAULT_BUFFER_LIMIT = 1 << 20;

  /** The retry timer every channel shares: one daemon thread, thread-safe, created on first use. */
  private static final class SharedScheduler {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "tern-retry-timer");
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }

  private final RetryPolicy policy;
  private final RetryThrottle throttle;
  private final long bufferLimit;
  private final ScheduledExecutorService scheduler;

  private RetryInterceptor(Builder b) {
    this.policy = b.policy;
    this.throttle = b.throttle;
    this.bufferLimit = b.bufferLimit;
    this.scheduler = b.scheduler != null ? b.scheduler : SharedScheduler.INSTANCE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Retries with {@code policy}, no throttling, the default buffer limit. */
  public static RetryInterceptor create(RetryPolicy policy) {
    return builder().policy(policy).build();
  }

  /** The throttle shared by this interceptor's calls, or null. */
  public RetryThrottle throttle() {
    return throttle;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    RetryPolicy p = callOptions.getOption(RetryPolicy.CALL_OPTION);
    if (p == null) {
      p = policy;
    }
    if (p.maxAttempts() <= 1) {
      return next.newCall(method, callOptions);
    }
    return new RetryingCall<>(this, p, method, callOptions, next, Context.current());
  }

  /** One outbound operation, replayed on every attempt. */
  private interface Op<ReqT> {
    void run(ClientCall<ReqT, ?> call);
  }

  /**
   * One logical call. The application calls it one thread at a time; attempt callbacks arrive on
   * each attempt's callback thread and the retry timer fires on the scheduler. State is guarded by
   * {@code lock}; attempts are called outside it, and only by one thread at a time: the drainer
   * replays the buffer until it catches up, then hands the attempt to the application thread
   * ("pass-through").
   */
  private static final class RetryingCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
    private final RetryInterceptor owner;
    private final RetryPolicy policy;
    private final MethodDescriptor<ReqT, RespT> method;
    private final CallOptions callOptions;
    private final Channel channel;
    private final Context context;
    private final Deadline deadline;
    private final Object lock = new Object();

    private Listener<RespT> listener;
    private Metadata headers;

    // Guarded by lock.
    private List<Op<ReqT>> ops = new ArrayList<>();
    private long bufferedBytes;
    private boolean committed;
    private boolean cancelled;
    private String cancelMessage;
    private Throwable cancelCause;
    private boolean closedToApp;
    private Attempt current;
    private int attemptCount;
    private int backoffStep;
    private ScheduledFuture<?> pendingRetry;

    RetryingCall(RetryInterceptor owner, RetryPolicy policy, MethodDescriptor<ReqT, RespT> method,
        CallOptions callOptions, Channel channel, Context context) {
      this.owner = owner;
      this.policy = policy;
      this.method = method;
      this.callOptions = callOptions;
      this.channel = channel;
      this.context = context;
      this.deadline = earlier(callOptions.getDeadline(), context.getDeadline());
    }

    private static Deadline earlier(Deadline a, Deadline b) {
      if (a == null || b == null) {
        return a == null ? b : a;
      }
      return a.timeRemaining(TimeUnit.NANOSECONDS) <= b.timeRemaining(TimeUnit.NANOSECONDS)
          ? a : b;
    }

    // ------------------------------------------------------------ application side

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      if (listener != null) {
        throw new IllegalStateException("already started");
      }
      this.listener = Objects.requireNonNull(responseListener, "responseListener");
      Metadata copy = new Metadata();
      copy.merge(headers);
      this.headers = copy;
      ClientCall<ReqT, RespT> call = newAttemptCall();
      Attempt a;
      synchronized (lock) {
        a = new Attempt(call, attemptCount++);
        current = a;
      }
      drain(a);
    }

    @Override
    public void request(int numMessages) {
      submit(c -> c.request(numMessages), 0);
    }

    @Override
    public void sendMessage(ReqT message) {
      int size = method.getRequestMarshaller().serializedSize(message);
      submit(c -> c.sendMessage(message), Math.max(size, 0));
    }

    @Override
    public void halfClose() {
      submit(ClientCall::halfClose, 0);
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      submit(c -> c.setMessageCompression(enabled), 0);
    }

    private void submit(Op<ReqT> op, int bytes) {
      Attempt pass;
      synchronized (lock) {
        if (closedToApp) {
          return;
        }
        pass = current != null && current.passThrough ? current : null;
        if (!committed) {
          ops.add(op); // kept for replay on later attempts
          bufferedBytes += bytes;
          if (bufferedBytes > owner.bufferLimit) {
            commit();
          }
        } else if (pass == null) {
          ops.add(op); // committed, but the attempt is still catching up with the buffer
        }
      }
      if (pass != null) {
        op.run(pass.call);
      }
    }

    @Override
    public void cancel(String message, Throwable cause) {
      Attempt a;
      boolean deliver = false;
      synchronized (lock) {
        if (cancelled || closedToApp) {
          return;
        }
        cancelled = true;
        cancelMessage = message;
        cancelCause = cause;
        commit();
        if (pendingRetry != null) {
          pendingRetry.cancel(false);
          pendingRetry = null;
        }
        a = current;
        if (a == null) {
          // Between attempts: no attempt will report, so the call ends here.
          deliver = listener != null;
          closedToApp = true;
        } else if (!a.started) {
          a = null; // the drainer cancels it once started
        }
      }
      if (deliver) {
        listener.onClose(Status.CANCELLED.withDescription(
            message != null ? message : "Cancelled by the client").withCause(cause),
            new Metadata());
      }
      if (a != null) {
        a.call.cancel(message, cause);
      }
    }

    @Override
    public boolean isReady() {
      Attempt a;
      synchronized (lock) {
        a = current != null && current.passThrough ? current : null;
      }
      return a != null && a.call.isReady();
    }

    @Override
    public Attributes getAttributes() {
      Attempt a;
      synchronized (lock) {
        a = current;
      }
      return a == null ? Attributes.EMPTY : a.call.getAttributes();
    }

    // ------------------------------------------------------------ attempts

    private ClientCall<ReqT, RespT> newAttemptCall() {
      // Inside the caller's Context, so the transport sees its deadline and cancellation.
      Context previous = context.attach();
      try {
        return channel.newCall(method, callOptions);
      } finally {
        context.detach(previous);
      }
    }

    /** Under lock: no more retries; drop the buffer once the current attempt has replayed it. */
    private void commit() {
      committed = true;
      if (current != null && current.passThrough) {
        ops = null;
        bufferedBytes = 0;
      }
    }

    /** Starts {@code a} and replays the buffer into it until it has caught up. */
    private void drain(Attempt a) {
      Metadata h = new Metadata();
      h.merge(headers);
      if (a.index > 0) {
        h.removeAll(PREVIOUS_ATTEMPTS);
        h.put(PREVIOUS_ATTEMPTS, Integer.toString(a.index));
      }
      a.call.start(a, h);
      boolean cancelNow;
      synchronized (lock) {
        a.started = true;
        cancelNow = cancelled;
      }
      if (cancelNow) {
        a.call.cancel(cancelMessage, cancelCause);
        return;
      }
      while (true) {
        List<Op<ReqT>> batch;
        synchronized (lock) {
          if (a != current || a.closed) {
            return;
          }
          if (a.drained == ops.size()) {
            a.passThrough = true;
            if (committed) {
              ops = null;
              bufferedBytes = 0;
            }
            return;
          }
          batch = new ArrayList<>(ops.subList(a.drained, ops.size()));
          a.drained = ops.size();
        }
        for (Op<ReqT> op : batch) {
          op.run(a.call);
        }
      }
    }

    private void retry() {
      try {
        retryNow();
      } catch (RuntimeException | Error e) {
        // A broken channel or interceptor: end the call rather than leave it hanging.
        boolean deliver;
        synchronized (lock) {
          deliver = !closedToApp;
          closedToApp = true;
          ops = null;
        }
        if (deliver) {
          listener.onClose(Status.INTERNAL.withDescription("Retry attempt failed to start: " + e)
              .withCause(e), new Metadata());
        }
      }
    }

    private void retryNow() {
      ClientCall<ReqT, RespT> call = newAttemptCall();
      Attempt a;
      synchronized (lock) {
        pendingRetry = null;
        if (cancelled) {
          return; // cancel() already ended the call
        }
        a = new Attempt(call, attemptCount++);
        current = a;
      }
      drain(a);
    }

    /**
     * Under lock, for a failed attempt of an uncommitted call: the delay before the next
     * attempt in nanoseconds, or -1 if the failure is final.
     */
    private long retryDelay(Status status, Metadata trailers) {
      Status.Code code = status.getCode();
      if (committed || cancelled || !policy.isRetryable(code)) {
        return -1;
      }
      RetryThrottle throttle = owner.throttle;
      boolean allowed = throttle == null || throttle.onFailureAndCheckAllowed();
      if (!allowed || attemptCount >= policy.maxAttempts()) {
        return -1;
      }
      long delay;
      String pushback = trailers.get(PUSHBACK);
      if (pushback != null) {
        long ms;
        try {
          ms = Long.parseLong(pushback.trim());
        } catch (NumberFormatException e) {
          ms = -1;
        }
        if (ms < 0) {
          return -1; // the server asked for no retry (A6 "Pushback")
        }
        delay = TimeUnit.MILLISECONDS.toNanos(ms);
        backoffStep = 0;
      } else {
        backoffStep++;
        delay = policy.jittered(policy.backoffNanos(backoffStep),
            ThreadLocalRandom.current().nextDouble());
      }
      if (deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= delay) {
        return -1; // the next attempt could not start before the deadline
      }
      return delay;
    }

    /**
     * One attempt: its call, replay progress, and the listener that filters its events. Its
     * callbacks arrive on the attempt's callback thread; its state is guarded by the call's lock.
     */
    private final class Attempt extends Listener<RespT> {
      final ClientCall<ReqT, RespT> call;
      final int index;
      // Guarded by lock.
      int drained;
      boolean started;
      boolean passThrough;
      boolean closed;

      Attempt(ClientCall<ReqT, RespT> call, int index) {
        this.call = call;
        this.index = index;
      }

      /** Under lock: whether this attempt's events still reach the application. */
      private boolean live() {
        return current == this && !closed;
      }

      @Override
      public void onHeaders(Metadata responseHeaders) {
        synchronized (lock) {
          if (!live()) {
            return;
          }
          commit();
        }
        listener.onHeaders(responseHeaders);
      }

      @Override
      public void onMessage(RespT message) {
        synchronized (lock) {
          if (!live()) {
            return;
          }
          commit();
        }
        listener.onMessage(message);
      }

      @Override
      public void onReady() {
        synchronized (lock) {
          if (!live()) {
            return;
          }
        }
        listener.onReady();
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        synchronized (lock) {
          if (!live()) {
            return;
          }
          closed = true;
          if (status.isOk()) {
            if (owner.throttle != null) {
              owner.throttle.onSuccess();
            }
          } else {
            long delay = retryDelay(status, trailers);
            if (delay >= 0) {
              current = null;
              pendingRetry = owner.scheduler.schedule(
                  RetryingCall.this::retry, delay, TimeUnit.NANOSECONDS);
              return;
            }
          }
          closedToApp = true;
          ops = null;
        }
        listener.onClose(status, trailers);
      }
    }
  }

  /** Configures a {@link RetryInterceptor}. Not thread-safe. */
  public static final class Builder {
    private RetryPolicy policy = RetryPolicy.defaults();
    private RetryThrottle throttle;
    private long bufferLimit = DEFAULT_BUFFER_LIMIT;
    private ScheduledExecutorService scheduler;

    private Builder() {}

    /** The policy for calls that do not set {@link RetryPolicy#CALL_OPTION}. */
    public Builder policy(RetryPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Turns on A6 retry throttling with a new token bucket (see {@link RetryThrottle}). */
    public Builder throttling(int maxTokens, double tokenRatio) {
      this.throttle = new RetryThrottle(maxTokens, tokenRatio);
      return this;
    }

    /** Message bytes a call may buffer for replay before it commits (default 1 MiB). */
    public Builder perCallBufferLimit(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("negative limit: " + bytes);
      }
      this.bufferLimit = bytes;
      return this;
    }

    /** The timer for backoffs (default: a shared daemon thread). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    public RetryInterceptor build() {
      return new RetryInterceptor(this);
    }
  }
}
