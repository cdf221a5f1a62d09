package dev.tern.inprocess;

import dev.tern.Attributes;
import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.ClientStreamTracer;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.internal.SerializingExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client side of one in-process call: finds the server by name, starts its side of the
 * call, and turns {@link ClientCall}'s methods into events on the shared
 * {@link InProcessStream}.
 *
 * <p>Deadlines and Context as over HTTP/2: the deadline is the earlier of the
 * {@link CallOptions} one and that of the {@link Context} current at {@code newCall}; the server
 * sees it as its context's deadline; when it passes both sides end with DEADLINE_EXCEEDED; a
 * cancelled caller context cancels the call.
 *
 * <p>Threading: {@link ClientCall}'s methods come from one application thread at a time
 * ({@link #cancel} from any); the {@link InProcessStream.ClientSide} events run on the call's
 * serializing executor; the deadline timer and the context listener run on any thread and only
 * cancel.
 */
final class InProcessClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT>
    implements InProcessStream.ClientSide {
  private static final System.Logger LOG = System.getLogger(InProcessClientCall.class.getName());

  private final ClientConfig config;
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions options;
  private final Context context;
  private final SerializingExecutor callbacks;
  private final InProcessStream stream;
  private final int maxInbound;
  private final int maxOutbound;

  // Application thread (start, sendMessage); read by callbacks after start.
  private Listener<RespT> listener;
  private List<ClientStreamTracer> tracers = List.of();
  private boolean serialize;
  private int serverMaxInbound = Integer.MAX_VALUE;
  private Deadline deadline;
  private long startNanos;
  private int sentMessages;
  // Callback thread.
  private int receivedMessages;
  // Any thread: released when the call ends.
  private volatile ScheduledFuture<?> deadlineTimer;
  private volatile Context.CancellationListener contextListener;

  InProcessClientCall(ClientConfig config, MethodDescriptor<ReqT, RespT> method,
      CallOptions options) {
    this.config = config;
    this.method = method;
    this.options = options;
    this.context = Context.current();
    java.util.concurrent.Executor executor = options.getExecutor() != null
        ? options.getExecutor() : config.executor();
    this.callbacks = new SerializingExecutor(
        executor == null ? CallbackExecutor.direct() : CallbackExecutor.on(executor));
    this.stream = new InProcessStream(config.bufferLimit(), callbacks);
    this.maxInbound = options.getMaxInboundMessageSize() >= 0
        ? options.getMaxInboundMessageSize() : config.maxInboundMessageSize();
    this.maxOutbound = options.getMaxOutboundMessageSize() >= 0
        ? options.getMaxOutboundMessageSize() : config.maxOutboundMessageSize();
  }

  // ---------------------------------------------------------------- ClientCall

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    if (listener != null) {
      throw new IllegalStateException("Already started");
    }
    listener = Objects.requireNonNull(responseListener, "responseListener");
    Objects.requireNonNull(headers, "headers");
    startNanos = System.nanoTime();
    if (stream.state() == CallState.CANCELLED) {
      // cancel() came before start(): the listener still hears how the call ended.
      callbacks.execute(() -> responseListener.onClose(
          Status.CANCELLED.withDescription("Call cancelled before start"), new Metadata()));
      return;
    }
    if (!config.calls().add(this)) {
      endBeforeStart(Status.UNAVAILABLE.withDescription("Channel shut down"));
      return;
    }
    if (context.isCancelled()) {
      endBeforeStart(statusFromContext(context));
      return;
    }
    deadline = earlier(options.getDeadline(), context.getDeadline());
    if (deadline != null && deadline.isExpired()) {
      endBeforeStart(Status.DEADLINE_EXCEEDED.withDescription("ClientCall started after the "
          + (deadline == options.getDeadline() ? "CallOptions" : "Context")
          + " deadline had passed"));
      return;
    }
    tracers = newTracers(headers);
    InProcessServer server = InProcessServer.lookUp(config.target());
    if (server == null) {
      endBeforeStart(Status.UNAVAILABLE.withDescription(
          "Could not find an in-process server named '" + config.target() + "'"));
      return;
    }
    InProcessServerCall<?, ?> serverCall;
    try {
      serverCall = server.accept(stream, method, copy(headers), deadline, config.authority(),
          maxInbound, config.serializeMessages());
    } catch (StatusException e) {
      endBeforeStart(e.getStatus());
      return;
    }
    serialize = Messages.mustSerialize(method.getRequestMarshaller(),
        serverCall.requestMarshaller(), config.serializeMessages());
    // Written before open() makes the call visible to other threads.
    serverMaxInbound = serverCall.maxInboundMessageSize();
    if (!stream.open(this, serverCall, serverCall.callbacks(),
        serverCall.bufferLimit(), serverCall::start)) {
      serverCall.abandon();
      return;
    }
    for (ClientStreamTracer t : tracers) {
      t.streamCreated(Attributes.EMPTY);
    }
    if (deadline != null) {
      scheduleDeadline();
    }
    if (context != Context.ROOT) {
      Context.CancellationListener l = c -> cancelCall(statusFromContext(c));
      contextListener = l;
      context.addListener(l, Runnable::run);
    }
  }

  @Override
  public void request(int numMessages) {
    stream.clientRequest(numMessages);
  }

  @Override
  public void cancel(String message, Throwable cause) {
    Status status = Status.CANCELLED.withDescription(
        message != null ? message : "Cancelled by the client");
    cancelCall(cause != null ? status.withCause(cause) : status);
  }

  @Override
  public void halfClose() {
    if (listener == null) {
      throw new IllegalStateException("Not started");
    }
    if (stream.state() == CallState.HALF_CLOSED) {
      throw new IllegalStateException("Already half-closed");
    }
    stream.halfClose();
  }

  @Override
  public void sendMessage(ReqT message) {
    if (listener == null) {
      throw new IllegalStateException("Not started");
    }
    CallState state = stream.state();
    if (state == CallState.HALF_CLOSED) {
      throw new IllegalStateException("sendMessage after halfClose");
    }
    if (!state.clientMaySend()) {
      return; // the call ended: the message goes nowhere, as over HTTP/2
    }
    Object item;
    try {
      item = Messages.prepare(method.getRequestMarshaller(), message, serialize);
    } catch (RuntimeException e) {
      cancelCall(Status.INTERNAL.withDescription("Failed to serialize the request").withCause(e));
      return;
    }
    long size = Messages.size(method.getRequestMarshaller(), item);
    if (size > maxOutbound || size > serverMaxInbound) {
      InProcessStream.release(item);
      boolean ours = size > maxOutbound;
      Status status = Status.RESOURCE_EXHAUSTED.withDescription(String.format(
          "Request message of %d bytes is larger than the %s limit of %d bytes", size,
          ours ? "client's outbound" : "server's inbound", ours ? maxOutbound : serverMaxInbound));
      stream.cancel(status, status);
      return;
    }
    InProcessStream.SendResult result;
    try {
      result = stream.clientSend(item);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancelCall(Status.CANCELLED.withDescription("Interrupted while waiting to send"));
      return;
    }
    if (result == InProcessStream.SendResult.OVERRUN) {
      Status status = Status.RESOURCE_EXHAUSTED.withDescription(
          InProcessChannel.overrunMessage(config.bufferLimit()));
      stream.cancel(status, status);
    } else if (result == InProcessStream.SendResult.QUEUED) {
      int seq = sentMessages++;
      for (ClientStreamTracer t : tracers) {
        t.outboundMessage(seq, size, size);
      }
    }
  }

  @Override
  public boolean isReady() {
    return stream.clientReady();
  }

  // ---------------------------------------------------------------- stream events

  @Override
  public void headers(Metadata headers) {
    for (ClientStreamTracer t : tracers) {
      t.inboundHeaders(headers);
    }
    runListener(() -> listener.onHeaders(headers));
  }

  @Override
  public void message(Object item) {
    try {
      if (stream.state() == CallState.CANCELLED) {
        InProcessStream.release(item);
        return;
      }
      long size = Messages.size(method.getResponseMarshaller(), item);
      RespT response;
      try {
        response = Messages.open(method.getResponseMarshaller(), item);
      } catch (RuntimeException e) {
        cancelCall(Status.INTERNAL.withDescription("Failed to parse the response").withCause(e));
        return;
      }
      int seq = receivedMessages++;
      for (ClientStreamTracer t : tracers) {
        t.inboundMessage(seq, size, size);
      }
      runListener(() -> listener.onMessage(response));
    } finally {
      stream.deliveredToClient();
    }
  }

  @Override
  public void closed(Status status, Metadata trailers) {
    releaseDeadlineAndContext();
    config.calls().remove(this);
    for (ClientStreamTracer t : tracers) {
      t.inboundTrailers(trailers);
      t.streamClosed(status);
    }
    try {
      listener.onClose(status, trailers);
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.WARNING, "Exception from onClose of "
          + method.getFullMethodName(), t);
    }
  }

  @Override
  public void ready() {
    runListener(() -> listener.onReady());
  }

  // ---------------------------------------------------------------- helpers

  /** The size limit on responses, as the server must respect it. */
  int maxInboundMessageSize() {
    return maxInbound;
  }

  /** Ends the call from the client's side: the server hears it as a cancellation. */
  void cancelCall(Status status) {
    stream.cancel(status, Status.CANCELLED.withDescription("The client cancelled the call"));
  }

  private void endBeforeStart(Status status) {
    stream.endBeforeStart(this, status);
  }

  private void runListener(Runnable callback) {
    try {
      callback.run();
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.WARNING, "Exception from the listener of "
          + method.getFullMethodName() + "; cancelling the call", t);
      cancelCall(Status.CANCELLED.withDescription("Failed to run the listener").withCause(t));
    }
  }

  private List<ClientStreamTracer> newTracers(Metadata headers) {
    List<ClientStreamTracer.Factory> factories = options.getStreamTracerFactories();
    if (factories.isEmpty() && config.tracerFactories().isEmpty()) {
      return List.of();
    }
    ClientStreamTracer.AttemptInfo info = new ClientStreamTracer.AttemptInfo(
        method, options, config.authority(), 0, false);
    List<ClientStreamTracer> list = new ArrayList<>();
    for (ClientStreamTracer.Factory f : factories) {
      list.add(f.newClientStreamTracer(info, headers));
    }
    for (ClientStreamTracer.Factory f : config.tracerFactories()) {
      list.add(f.newClientStreamTracer(info, headers));
    }
    return List.copyOf(list);
  }

  private void scheduleDeadline() {
    long remaining = deadline.timeRemaining(TimeUnit.NANOSECONDS);
    try {
      deadlineTimer = SharedExecutors.timer().schedule(
          () -> {
            Status status = deadlineExceeded();
            stream.cancel(status, status);
          }, remaining, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      cancelCall(Status.UNAVAILABLE.withDescription("Cannot enforce the deadline")
          .withCause(e));
    }
    if (stream.state().isTerminal()) {
      releaseDeadlineAndContext();
    }
  }

  private void releaseDeadlineAndContext() {
    ScheduledFuture<?> timer = deadlineTimer;
    if (timer != null) {
      timer.cancel(false);
    }
    Context.CancellationListener l = contextListener;
    if (l != null) {
      context.removeListener(l);
    }
  }

  private Status deadlineExceeded() {
    return Status.DEADLINE_EXCEEDED.withDescription(String.format(
        "deadline exceeded after %.9fs", (System.nanoTime() - startNanos) / 1e9));
  }

  private Status statusFromContext(Context c) {
    if (c.cancellationCause() instanceof TimeoutException && deadline != null) {
      return deadlineExceeded().withCause(c.cancellationCause());
    }
    Status status = Contexts.statusFromCancelled(c);
    return status != null ? status : Status.CANCELLED;
  }

  private static Deadline earlier(Deadline a, Deadline b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    // By time remaining rather than Deadline.minimum, which refuses deadlines on other tickers.
    return a.timeRemaining(TimeUnit.NANOSECONDS) <= b.timeRemaining(TimeUnit.NANOSECONDS) ? a : b;
  }

  /** A copy, so that neither side sees what the other does to its metadata afterwards. */
  static Metadata copy(Metadata metadata) {
    Metadata copy = new Metadata();
    copy.merge(metadata);
    return copy;
  }
}
