package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.ClientStreamTracer;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client call the application holds: a thin adapter over the call's {@link RetriableCall}
 * (attempts, retries, hedging) that adds what belongs to the call as a whole: its deadline and
 * Context, marshalling through a {@link MessageWriter}, and the listener, reached through a
 * {@link CallbackDispatcher}.
 *
 * <p>Thread-safe in the {@link ClientCall} sense: the application calls it from one thread at a
 * time ({@link #cancel} from any); the {@link CallPhase} moves under this object's monitor;
 * transport events arrive from event loops and reach the listener through the dispatcher. The
 * deadline timer and the context's cancellation listener may fire on any thread; both end the
 * call through {@link #cancel}.
 *
 * <p>Deadlines: the call's deadline is the earlier of its {@link CallOptions} deadline and that of
 * the {@link Context} current when it was created, so a server handler's downstream calls inherit
 * what is left of its own. The remaining time goes to the server as {@code grpc-timeout}
 * (PROTOCOL-HTTP2.md "Requests") on every attempt, and a timer ends the call with
 * DEADLINE_EXCEEDED and resets its streams if no status arrived by then; retries never start past
 * it. A call made under a cancellable context is cancelled with it. Calls with neither cost
 * nothing extra: no timer, no listener.
 */
public final class ClientCallImpl<ReqT, RespT> extends ClientCall<ReqT, RespT>
    implements EngineListener {
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final ClientSettings settings;
  private final TransportSource transports;
  // The context current at newCall: source of an inherited deadline and of cancellation.
  private final Context context;
  // Runs the deadline timer and the retry timers.
  private final ScheduledExecutorService scheduler;
  private final MessageWriter writer;
  private final CallbackDispatcher dispatcher;
  /** Delivers response messages: straight, or through {@link #inbox}. */
  private final ResponseInbox.Call delivery = new ResponseInbox.Call() {
    @Override
    public void deliver(ResponseInbox.Arrival message) {
      deliverMessage(message);
    }

    @Override
    public void dispatch(Runnable task) {
      dispatcher.dispatch(task);
    }
  };
  /** Messages read ahead, for a streaming response on an executor; else null (see inbox). */
  private final ResponseInbox inbox;

  /** Guarded by this; volatile for the unlocked reads on the sending path. */
  private volatile CallPhase phase = CallPhase.IDLE;
  private Listener<RespT> listener;
  /**
   * Whether the listener overrides onReady (set in start, before any transport event): the stubs'
   * unary listeners do not, and their calls then dispatch no readiness callback at all.
   */
  private boolean hearsReady;
  private volatile RetriableCall engine;
  /** Set on the listener's executor when a received message could not be decoded. */
  private Status inboundFailure;

  // Deadline state: written in start() before any attempt or the timer exists.
  private Deadline deadline;
  private long startNanos;
  private volatile ScheduledFuture<?> deadlineTimer;
  private volatile Context.CancellationListener contextListener;

  public ClientCallImpl(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
      ClientSettings settings, TransportSource transports,
      ScheduledExecutorService scheduler) {
    this.context = Context.current();
    this.scheduler = scheduler;
    this.method = method;
    this.callOptions = callOptions;
    this.settings = settings;
    this.transports = transports;
    this.writer = new MessageWriter(settings.sendBufferLimit,
        callOptions.getMaxOutboundMessageSize() >= 0
            ? callOptions.getMaxOutboundMessageSize() : settings.maxOutboundMessageSize,
        PooledByteBufAllocator.DEFAULT);
    this.dispatcher = new CallbackDispatcher(
        callOptions.getExecutor() != null ? callOptions.getExecutor() : settings.executor,
        null, t -> cancel(Status.CANCELLED.withDescription("Listener threw an exception")
            .withCause(t)));
    this.inbox = dispatcher.isInline() || method.getType().serverSendsOneMessage()
        ? null : new ResponseInbox(delivery);
  }

  /**
   * Moves the phase; returns the phase before. Every change of {@link #phase} is here.
   *
   * @throws IllegalStateException for the application's misuse (see {@link CallPhase})
   */
  private synchronized CallPhase transition(CallPhase.Event event) {
    CallPhase before = phase;
    phase = before.next(event);
    return before;
  }

  // ---------------------------------------------------------------- application API

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    Objects.requireNonNull(responseListener, "responseListener");
    synchronized (this) {
      if (listener != null) {
        throw new IllegalStateException("already started");
      }
      listener = responseListener;
      hearsReady = ListenerOverrides.onReady(responseListener);
    }
    if (phase.isEnding()) {
      endBeforeAttempt(Status.CANCELLED.withDescription("Call cancelled before it started"));
      return;
    }
    transition(CallPhase.Event.START);
    if (context.isCancelled()) {
      // Nothing is sent for a call whose caller has already given up.
      endBeforeAttempt(statusFromContext(context));
      return;
    }
    Deadline callDeadline = callOptions.getDeadline();
    Deadline effective = earlier(callDeadline, context.getDeadline());
    long remaining = 0;
    if (effective != null) {
      remaining = effective.timeRemaining(TimeUnit.NANOSECONDS);
      if (remaining <= 0) {
        endBeforeAttempt(Status.DEADLINE_EXCEEDED.withDescription("ClientCall started after the "
            + (effective == callDeadline ? "CallOptions" : "Context") + " deadline had passed"
            + " (exceeded by " + seconds(-remaining) + ")"));
        return;
      }
      deadline = effective;
    }
    startNanos = System.nanoTime();
    String compressor = callOptions.getCompressor();
    if (compressor != null && !CodecRegistry.IDENTITY.equals(compressor)) {
      Codec codec = settings.codecs.lookup(compressor);
      if (codec == null) {
        endBeforeAttempt(Status.INTERNAL.withDescription(
            "Unable to find compressor by name " + compressor));
        return;
      }
      writer.setCodec(codec);
    }
    Metadata appHeaders = headers == null ? new Metadata() : headers;
    // A call that adds nothing to the headers every call sends (no metadata, encoding or
    // deadline) uses the connection's shared read-only copy of them.
    Http2Headers first = appHeaders.isEmpty() && writer.codec() == null && deadline == null
        ? null : requestHeaders(appHeaders);
    RetriableCall e = new RetriableCall(this,
        new AttemptSpec(method.getPath(), deadline, startNanos,
            callOptions.getMaxInboundMessageSize() >= 0
                ? callOptions.getMaxInboundMessageSize() : settings.maxInboundMessageSize,
            settings.codecs, writer, inbox == null ? 0 : ResponseInbox.READ_AHEAD),
        method, callOptions, settings.authority, retryConfig(), scheduler, appHeaders, first);
    synchronized (this) {
      if (phase.isEnding()) {
        return; // cancelled meanwhile; cancel() told the listener
      }
      engine = e;
    }
    if (context != Context.ROOT) {
      listenToContext();
    }
    if (effective != null) {
      scheduleDeadline(remaining);
    }
    e.start();
  }

  /**
   * The call's retry or hedging policy (a call option overrides the channel's), throttle, buffer
   * limit and tracer factories: the channel's own unless the call's options add to them.
   */
  private RetryConfig retryConfig() {
    RetryPolicy retry = callOptions.getOption(RetryPolicy.CALL_OPTION);
    HedgingPolicy hedging = callOptions.getOption(HedgingPolicy.CALL_OPTION);
    List<ClientStreamTracer.Factory> callTracers = callOptions.getStreamTracerFactories();
    if (retry == null && hedging == null && callTracers.isEmpty()) {
      return settings.retryConfig; // the usual case: nothing to allocate per call
    }
    if (retry == null && hedging == null) {
      retry = settings.retryPolicy;
      hedging = settings.hedgingPolicy;
    } else if (retry != null) {
      hedging = null; // A6: a call has one policy or the other
    }
    List<ClientStreamTracer.Factory> tracers = settings.streamTracerFactories;
    if (!callTracers.isEmpty()) {
      tracers = new ArrayList<>(tracers);
      tracers.addAll(callTracers);
    }
    return new RetryConfig(retry, hedging, settings.retryThrottle,
        settings.replayBufferLimit, tracers);
  }

  /** Ends a call that never had an attempt. */
  private void endBeforeAttempt(Status status) {
    onClose(status, new Metadata());
  }

  @Override
  public void request(int numMessages) {
    if (numMessages <= 0) {
      return;
    }
    int forward = inbox == null ? numMessages : inbox.request(numMessages);
    RetriableCall e = engine();
    if (e != null && forward > 0) {
      e.request(forward);
    }
  }

  private RetriableCall engine() {
    return engine;
  }

  /**
   * Queues one request message. It is written as the server's flow-control window allows;
   * until then it stays in memory. A sender that ignores {@link #isReady()} therefore costs the
   * memory of everything it sends ahead of the server's reading, up to the channel's send buffer
   * limit ({@code TernChannel.Builder.sendBufferLimit}, 1 MiB by default) plus one message. Past
   * that limit this method blocks the calling thread until the server reads or the call ends;
   * on an event-loop thread (e.g. a {@code directExecutor()} listener), which must not block,
   * the call is cancelled with RESOURCE_EXHAUSTED instead.
   */
  @Override
  public void sendMessage(ReqT message) {
    CallPhase now = phase;
    if (now == CallPhase.HALF_CLOSED) {
      throw new IllegalStateException("call was half-closed");
    }
    if (now.isEnding() || now == CallPhase.IDLE) {
      return;
    }
    switch (writer.awaitRoom(() -> phase.isEnding())) {
      case AVAILABLE:
        break;
      case CALL_ENDED:
        return;
      case CANNOT_BLOCK:
        cancel(Status.RESOURCE_EXHAUSTED.withDescription("Send buffer limit of "
            + writer.sendBufferLimit() + " bytes exceeded: the sender ignores isReady() on an"
            + " event-loop thread, which cannot wait"));
        return;
      default:
        cancel(Status.CANCELLED.withDescription("Thread interrupted while waiting to send"));
        return;
    }
    ByteBuf frame;
    try {
      frame = writer.frame(method.getRequestMarshaller(), message);
    } catch (StatusRuntimeException e) {
      cancel(e.getStatus());
      return;
    }
    engine().sendMessage(frame, writer.lastUncompressedSize());
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    writer.setMessageCompression(enabled);
  }

  @Override
  public void halfClose() {
    if (transition(CallPhase.Event.HALF_CLOSE) == CallPhase.OPEN) {
      engine().halfClose();
    }
  }

  @Override
  public void cancel(String message, Throwable cause) {
    if (message == null && cause == null) {
      message = "Cancelled by the client with no message";
    }
    cancel(Status.CANCELLED.withDescription(message).withCause(cause));
  }

  private void cancel(Status status) {
    if (transition(CallPhase.Event.CANCEL).isEnding()) {
      return;
    }
    writer.wake();
    RetriableCall e = engine();
    if (e != null) {
      e.cancel(status);
    } else if (listener != null) {
      onClose(status, new Metadata()); // between start()'s checks and its engine
    }
  }

  /**
   * Whether a message sent now would leave at once: little (32 KiB) is on its way to the event
   * loop, and little waits beyond what the server's stream window lets out (see SendBuffer).
   */
  @Override
  public boolean isReady() {
    RetriableCall e = engine;
    return e != null && e.isStreamReady() && !phase.isEnding() && writer.isReady();
  }

  // ---------------------------------------------------------------- EngineListener

  @Override
  public void onHeaders(Metadata headers) {
    dispatcher.dispatch(() -> listener.onHeaders(headers));
  }

  @Override
  public void onMessage(ClientAttempt from, ByteBuf message, boolean compressed, int wireSize,
      int seqNo, int credit, boolean readAhead) {
    dispatcher.dispatch(new ResponseInbox.Arrival(readAhead ? inbox : null, delivery, from,
        message, compressed, wireSize, seqNo, credit));
  }

  /** Callback thread: decodes a response message and hands it to the listener. */
  private void deliverMessage(ResponseInbox.Arrival m) {
    RespT response;
    ByteBuf bytes = m.message;
    try {
      if (inboundFailure != null) {
        return;
      }
      bytes = null;
      // Decompressed on the listener's executor, off the event loop.
      bytes = m.from.decode(m.message, m.compressed);
      m.from.tracers().inboundMessage(m.seqNo, m.wireSize, bytes.readableBytes());
      response = method.getResponseMarshaller().parse(bytes);
    } catch (StatusRuntimeException e) {
      // The trailers may already be in and their status queued behind this task: the
      // failure must win, so the listener is closed with it from here on.
      inboundFailure = e.getStatus();
      cancel(e.getStatus());
      return;
    } finally {
      if (bytes != null) {
        bytes.release();
      }
    }
    listener.onMessage(response);
  }

  @Override
  public void onReady() {
    if (hearsReady && !phase.isEnding()) {
      dispatcher.dispatch(() -> listener.onReady());
    }
  }

  @Override
  public void afterDelivered(Runnable task) {
    dispatcher.dispatch(new CallbackDispatcher.Owning() {
      @Override
      public void run() {
        task.run();
      }

      @Override
      public void dropped() {
        task.run();
      }
    });
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    transition(CallPhase.Event.CLOSE);
    writer.wake();
    releaseDeadlineAndContext();
    dispatcher.dispatch(() -> {
      dispatcher.stop();
      if (inbox != null) {
        inbox.close(); // messages read ahead and not taken: the status ends the call
      }
      if (inboundFailure != null) {
        listener.onClose(inboundFailure, new Metadata());
      } else {
        listener.onClose(status, trailers);
      }
    });
  }

  // ---------------------------------------------------------------- deadline and context

  private static Deadline earlier(Deadline a, Deadline b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    // By time remaining rather than Deadline.minimum, which refuses deadlines on other tickers.
    return b.timeRemaining(TimeUnit.NANOSECONDS) < a.timeRemaining(TimeUnit.NANOSECONDS) ? b : a;
  }

  private void scheduleDeadline(long remainingNanos) {
    ScheduledFuture<?> timer;
    try {
      timer = scheduler.schedule(() -> cancel(deadlineExceeded()), remainingNanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      cancel(Status.UNAVAILABLE.withDescription("Channel shut down; cannot enforce the deadline")
          .withCause(e));
      return;
    }
    deadlineTimer = timer;
    if (phase == CallPhase.CLOSED) {
      // The call ended while the timer was being scheduled (volatile write, then read: one of
      // the two sides sees the other).
      timer.cancel(false);
    }
  }

  private void listenToContext() {
    Context.CancellationListener l = c -> cancel(statusFromContext(c));
    contextListener = l;
    // A context that can never be cancelled drops the listener.
    context.addListener(l, Runnable::run);
    if (phase == CallPhase.CLOSED) {
      context.removeListener(l);
    }
  }

  /** Stops the timer and context listener; their work is done once the outcome is known. */
  private void releaseDeadlineAndContext() {
    ScheduledFuture<?> t = deadlineTimer;
    if (t != null) {
      deadlineTimer = null;
      t.cancel(false);
    }
    Context.CancellationListener l = contextListener;
    if (l != null) {
      contextListener = null;
      context.removeListener(l);
    }
  }

  private Status deadlineExceeded() {
    return Status.DEADLINE_EXCEEDED.withDescription(
        "deadline exceeded after " + seconds(System.nanoTime() - startNanos));
  }

  /** The status for a call cancelled because its context was. */
  private Status statusFromContext(Context c) {
    if (c.cancellationCause() instanceof TimeoutException && deadline != null) {
      // The inherited deadline passed: report it like our own timer would.
      return deadlineExceeded().withCause(c.cancellationCause());
    }
    Status status = Contexts.statusFromCancelled(c);
    return status != null ? status : Status.CANCELLED.withDescription("context cancelled");
  }

  /** {@code nanos} as seconds with nanosecond digits, e.g. "0.300012345s". */
  static String seconds(long nanos) {
    long abs = Math.abs(nanos);
    return String.format(Locale.ROOT, "%s%d.%09ds", nanos < 0 ? "-" : "",
        abs / 1_000_000_000L, abs % 1_000_000_000L);
  }

  @Override
  public CompletableFuture<ClientHandler> connection() {
    return transports.transport(method, callOptions);
  }

  /** The request headers for {@code metadata}: those every call sends, then the call's own. */
  @Override
  public Http2Headers requestHeaders(Metadata metadata) {
    return settings.requestHeaders(method.getPath(), writer.codec(), metadata);
  }
}
