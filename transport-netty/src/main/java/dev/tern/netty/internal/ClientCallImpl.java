package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.internal.Compression;
import dev.tern.internal.GrpcTimeout;
import dev.tern.internal.MessageDeframer;
import dev.tern.internal.SerializingExecutor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client side of one call on one HTTP/2 stream.
 *
 * <p>Thread-safe in the {@link ClientCall} sense: the application calls it from one thread at a
 * time ({@link #cancel} from any); transport events arrive on the event loop and reach the
 * listener through the call's serializing executor. The deadline timer and the context's
 * cancellation listener may fire on any thread; both end the call through {@link #cancel}.
 *
 * <p>Deadlines: the call's deadline is the earlier of its {@link CallOptions} deadline and that of
 * the {@link Context} current when it was created, so a server handler's downstream calls inherit
 * what is left of its own. The remaining time goes to the server as {@code grpc-timeout}
 * (PROTOCOL-HTTP2.md "Requests"), and a timer ends the call with DEADLINE_EXCEEDED and resets the
 * stream if no status arrived by then. A call made under a cancellable context is cancelled with
 * it. Calls with neither cost nothing extra: no timer, no listener.
 *
 * <p>Connections come from the channel's {@link ClientConnectionManager}: a wait-for-ready call
 * waits through CONNECTING and TRANSIENT_FAILURE; others fail with UNAVAILABLE when an attempt to
 * connect fails. Transparent retry (gRFC A6): until the call has received anything, it keeps its
 * request messages (up to {@link ClientSettings#replayBufferLimit}); if its stream turns out never
 * to have been processed (RST_STREAM(REFUSED_STREAM), above a GOAWAY's last-stream-id, or never
 * sent because the connection went away first), the call starts over on another connection,
 * replaying its headers and messages, without the application noticing. Streams the server may
 * have processed are never replayed; refusals are retried at most
 * {@value #MAX_REFUSED_RETRIES} times. Each attempt has a generation number: commands queued for
 * an earlier attempt find it changed and only release their buffers.
 */
public final class ClientCallImpl<ReqT, RespT> extends ClientCall<ReqT, RespT>
    implements MessageDeframer.Sink {
  /** Attempts a call may make after streams it sent were refused (never processed). */
  static final int MAX_REFUSED_RETRIES = 3;

  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final ClientSettings settings;
  private final ClientConnectionManager transports;
  /** The current attempt's connection, once asked for. */
  private volatile CompletableFuture<ClientHandler> connection;
  private final Executor callbackExecutor;
  private final SendBuffer sendBuffer;
  private final AtomicBoolean listenerClosed = new AtomicBoolean();
  private final Object lock = new Object();
  // The context current at newCall: source of an inherited deadline and of cancellation.
  private final Context context;
  // Runs the deadline timer when the connection (whose event loop is preferred) is not up yet.
  private final ScheduledExecutorService fallbackScheduler;

  // Commands issued before the connection was ready, replayed in order once it is; null once
  // the connection is there, or failed (then commands run at once and only release buffers).
  private List<WriteQueue.Command> pending = new ArrayList<>(4);
  private volatile ClientHandler transport;
  private volatile boolean cancelled;
  private volatile boolean streamReady;
  /** Set on the event loop when the call ended, for senders waiting on the send buffer. */
  private volatile boolean finished;

  // Transparent retry state, guarded by lock.
  /** Copies of the messages sent so far, for a replay; null once the call cannot be retried. */
  private List<ByteBuf> replay = new ArrayList<>(2);
  private long replayBytes;
  /** Messages the application requested so far (a new attempt's deframer starts with them). */
  private int requested;
  /** The attempt number; commands carry the one they were issued for. */
  private volatile int generation;
  private Status cancelStatus;
  private Http2Headers requestHeaders;

  private Listener<RespT> listener;
  private boolean halfClosed;
  private boolean sendFailed;
  /** Encodes the request messages (CallOptions.withCompression); null for identity. */
  private Codec outboundCodec;
  private boolean messageCompression = true;
  /** Set on the listener's executor when a received message could not be decoded. */
  private Status inboundFailure;

  // Deadline state: written in start() before the stream is created or the timer scheduled.
  private Deadline deadline;
  private long startNanos;
  private volatile ScheduledFuture<?> deadlineTimer;
  private volatile Context.CancellationListener contextListener;
  // Set once the call's outcome is decided; the timer and context listener are then released.
  private volatile boolean ended;

  // Event-loop state.
  private int streamId = -1;
  private MessageDeframer deframer;
  private int deframerLimit;
  /** Decodes the response messages (the response's grpc-encoding); null for identity. */
  private Codec inboundCodec;
  private boolean headersReceived;
  private Status trailerStatus;
  private Metadata trailerMetadata;
  private boolean done;
  private int refusedRetries;

  public ClientCallImpl(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
      ClientSettings settings, ClientConnectionManager transports,
      ScheduledExecutorService fallbackScheduler) {
    this.context = Context.current();
    this.fallbackScheduler = fallbackScheduler;
    this.method = method;
    this.callOptions = callOptions;
    this.settings = settings;
    this.transports = transports;
    Executor executor = callOptions.getExecutor() != null
        ? callOptions.getExecutor()
        : settings.executor;
    this.callbackExecutor = executor == null ? null : new SerializingExecutor(executor);
    this.sendBuffer = new SendBuffer(settings.sendBufferLimit);
  }

  // ---------------------------------------------------------------- application API

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    if (listener != null) {
      throw new IllegalStateException("already started");
    }
    listener = java.util.Objects.requireNonNull(responseListener, "responseListener");
    if (context.isCancelled()) {
      // Nothing is sent for a call whose caller has already given up.
      failBeforeStream(statusFromContext(context));
      return;
    }
    Deadline callDeadline = callOptions.getDeadline();
    Deadline effective = earlier(callDeadline, context.getDeadline());
    long remaining = 0;
    if (effective != null) {
      remaining = effective.timeRemaining(TimeUnit.NANOSECONDS);
      if (remaining <= 0) {
        failBeforeStream(Status.DEADLINE_EXCEEDED.withDescription("ClientCall started after the "
            + (effective == callDeadline ? "CallOptions" : "Context") + " deadline had passed"
            + " (exceeded by " + seconds(-remaining) + ")"));
        return;
      }
      deadline = effective;
      startNanos = System.nanoTime();
    }
    String compressor = callOptions.getCompressor();
    if (compressor != null && !CodecRegistry.IDENTITY.equals(compressor)) {
      outboundCodec = settings.codecs.lookup(compressor);
      if (outboundCodec == null) {
        failBeforeStream(Status.INTERNAL.withDescription(
            "Unable to find compressor by name " + compressor));
        return;
      }
    }
    synchronized (lock) {
      // A call that adds nothing to the headers every call sends (no metadata, encoding or
      // deadline) uses the connection's shared read-only copy of them, picked in createStream.
      requestHeaders = (headers == null || headers.isEmpty())
          && outboundCodec == null && deadline == null ? null : requestHeaders(headers);
    }
    CompletableFuture<ClientHandler> first = transports.transport(callOptions.isWaitForReady());
    connection = first;
    if (context != Context.ROOT) {
      listenToContext();
    }
    if (effective != null) {
      scheduleDeadline(remaining);
    }
    attach(first, 0);
  }

  /** Starts attempt {@code gen} on the connection {@code future} brings. */
  private void attach(CompletableFuture<ClientHandler> future, int gen) {
    ClientHandler ready = future.isDone() && !future.isCompletedExceptionally()
        ? future.getNow(null) : null;
    if (ready != null) {
      // The usual case: the connection is up. No completion callback to allocate.
      onTransport(ready, null, gen);
      return;
    }
    future.whenComplete((handler, failure) -> onTransport(handler, failure, gen));
  }

  private void onTransport(ClientHandler handler, Throwable failure, int gen) {
    if (failure != null) {
      Status status;
      synchronized (lock) {
        status = cancelStatus;
      }
      if (status == null) {
        status = failure instanceof StatusRuntimeException
            ? ((StatusRuntimeException) failure).getStatus()
            // An IOException's message says it all (refused, TLS handshake failed and why).
            : Status.UNAVAILABLE.withDescription("Connection failed: "
                + (failure instanceof java.io.IOException && failure.getMessage() != null
                    ? failure.getMessage() : failure.toString())).withCause(failure);
      }
      failBeforeStream(status);
      return;
    }
    synchronized (lock) {
      if (gen != generation || pending == null) {
        return;
      }
      int initialRequests = requested;
      Http2Headers headers = requestHeaders;
      handler.writeQueue().enqueue(() -> createStream(handler, headers, gen, initialRequests));
      for (WriteQueue.Command c : pending) {
        handler.writeQueue().enqueue(c);
      }
      pending = null;
      transport = handler;
    }
  }

  /** Ends a call that never got a stream; commands issued already or later only release. */
  private void failBeforeStream(Status status) {
    List<WriteQueue.Command> commands;
    CompletableFuture<ClientHandler> waiting;
    synchronized (lock) {
      commands = pending;
      pending = null;
      cancelled = true;
      finished = true;
      // No stream will exist: commands run at once, with done set, and only release buffers.
      done = true;
      waiting = connection;
      dropReplay();
    }
    if (waiting != null) {
      // Withdraws a wait for a connection.
      waiting.completeExceptionally(status.asRuntimeException());
    }
    sendBuffer.wake();
    if (commands != null) {
      for (WriteQueue.Command c : commands) {
        c.run();
      }
    }
    closeListener(status, new Metadata());
  }

  @Override
  public void request(int numMessages) {
    if (numMessages <= 0) {
      return;
    }
    ClientHandler handler;
    int gen;
    synchronized (lock) {
      requested = (int) Math.min(Integer.MAX_VALUE, (long) requested + numMessages);
      // Without a connection, the next attempt's deframer starts with all of them.
      handler = transport;
      gen = generation;
    }
    if (handler != null) {
      handler.writeQueue().enqueue(() -> {
        if (gen == generation && deframer != null) {
          deframer.request(numMessages);
        }
      });
    }
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
    if (halfClosed) {
      throw new IllegalStateException("call was half-closed");
    }
    if (cancelled || sendFailed) {
      return;
    }
    switch (sendBuffer.hasRoom()
        ? SendBuffer.Room.AVAILABLE : sendBuffer.awaitRoom(() -> finished || cancelled)) {
      case AVAILABLE:
        break;
      case CALL_ENDED:
        return;
      case CANNOT_BLOCK:
        sendFailed = true;
        cancel(Status.RESOURCE_EXHAUSTED.withDescription("Send buffer limit of "
            + settings.sendBufferLimit + " bytes exceeded: the sender ignores isReady() on an"
            + " event-loop thread, which cannot wait"));
        return;
      default:
        sendFailed = true;
        cancel(Status.CANCELLED.withDescription("Thread interrupted while waiting to send"));
        return;
    }
    ByteBuf frame;
    try {
      int max = callOptions.getMaxOutboundMessageSize() >= 0
          ? callOptions.getMaxOutboundMessageSize()
          : settings.maxOutboundMessageSize;
      frame = Compression.frame(method.getRequestMarshaller(), message,
          io.netty.buffer.PooledByteBufAllocator.DEFAULT, max,
          messageCompression ? outboundCodec : null);
    } catch (StatusRuntimeException e) {
      cancel(e.getStatus());
      return;
    }
    int bytes = frame.readableBytes();
    sendBuffer.add(bytes);
    enqueue(gen -> writeData(frame, bytes, false, gen), () -> {
      if (replay != null) {
        if (replayBytes + bytes <= settings.replayBufferLimit) {
          replay.add(frame.retainedDuplicate());
          replayBytes += bytes;
        } else {
          dropReplay();
        }
      }
    });
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    messageCompression = enabled;
  }

  @Override
  public void halfClose() {
    if (halfClosed) {
      throw new IllegalStateException("already half-closed");
    }
    enqueue(gen -> writeData(Unpooled.EMPTY_BUFFER, 0, true, gen), () -> halfClosed = true);
  }

  @Override
  public void cancel(String message, Throwable cause) {
    if (message == null && cause == null) {
      message = "Cancelled by the client with no message";
    }
    cancel(Status.CANCELLED.withDescription(message).withCause(cause));
  }

  private void cancel(Status status) {
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      cancelStatus = status;
    }
    sendBuffer.wake();
    cancelAttempt(status);
  }

  /** Ends the current attempt with the cancellation: its stream, or its wait for one. */
  private void cancelAttempt(Status status) {
    ClientHandler handler;
    int gen;
    CompletableFuture<ClientHandler> waiting;
    synchronized (lock) {
      handler = transport;
      gen = generation;
      waiting = connection;
    }
    if (handler == null) {
      // No stream: nothing to reset. The wait for a connection is withdrawn; a stream creation
      // already queued sees the flag.
      closeListener(status, new Metadata());
      if (waiting != null) {
        waiting.completeExceptionally(status.asRuntimeException());
      }
      return;
    }
    handler.runOnEventLoop(() -> {
      if (done) {
        return;
      }
      if (gen != generation) {
        // A transparent retry moved the call meanwhile: cancel where it is now.
        cancelAttempt(status);
        return;
      }
      // Finish first: the reset closes the stream at once, and streamClosed() must not see an
      // unfinished call and report it as lost.
      finish(status, new Metadata());
      if (streamId > 0) {
        ClientHandler h = transport;
        h.encoder().writeRstStream(h.context(), streamId, Http2Error.CANCEL.code(),
            h.context().newPromise());
        h.context().flush();
      }
    });
  }

  /**
   * Whether a message sent now would leave at once: little (32 KiB) is on its way to the event
   * loop, and little waits beyond what the server's stream window lets out (see SendBuffer).
   */
  @Override
  public boolean isReady() {
    return streamReady && !cancelled && sendBuffer.isReady();
  }

  /** A write for the attempt whose generation it is given. */
  private interface AttemptCommand {
    void run(int generation);
  }

  /**
   * Queues {@code command} for the current attempt: on its connection, or until it has one.
   * {@code record} notes it for replays in the same critical section in which the attempt is
   * read, so a transparent retry either replays it or is the attempt it goes to, never both.
   */
  private void enqueue(AttemptCommand command, Runnable record) {
    ClientHandler handler;
    int gen;
    boolean runNow = false;
    synchronized (lock) {
      record.run();
      handler = transport;
      gen = generation;
      if (handler == null) {
        if (pending == null) {
          runNow = true;
        } else {
          pending.add(() -> command.run(gen));
        }
      }
    }
    if (runNow) {
      // The call failed before it had a stream: the command only releases its buffers.
      command.run(gen);
    } else if (handler != null) {
      handler.writeQueue().enqueue(() -> command.run(gen));
    }
  }

  /** Releases the replay copies: the call can no longer be retried. Caller holds the lock. */
  private void dropReplay() {
    if (replay != null) {
      for (ByteBuf b : replay) {
        b.release();
      }
      replay = null;
      replayBytes = 0;
    }
  }

  /**
   * Starts the call over on another connection if its stream was never processed (gRFC A6
   * transparent retry): nothing received yet, messages all kept, not cancelled, and, for streams
   * the server saw and refused ({@code sent}), fewer than {@value #MAX_REFUSED_RETRIES} refusals.
   * Event loop of the failed attempt; returns whether the call was moved.
   */
  private boolean retryTransparently(ClientHandler old, boolean sent) {
    if (done || headersReceived || (sent && refusedRetries >= MAX_REFUSED_RETRIES)) {
      return false;
    }
    int gen;
    synchronized (lock) {
      if (replay == null || cancelled) {
        return false;
      }
      gen = ++generation;
      transport = null;
      pending = new ArrayList<>(replay.size() + 1);
      for (ByteBuf message : replay) {
        ByteBuf copy = message.retainedDuplicate();
        // Already counted by the send buffer when first sent: replays count nothing.
        pending.add(() -> writeData(copy, 0, false, gen));
      }
      if (halfClosed) {
        pending.add(() -> writeData(Unpooled.EMPTY_BUFFER, 0, true, gen));
      }
    }
    if (sent) {
      refusedRetries++;
    }
    // Forget the dead attempt before the next one can start, possibly on this same loop.
    if (streamId > 0) {
      old.forgetStream(streamId);
    }
    streamId = -1;
    if (deframer != null) {
      deframer.close();
      deframer = null;
    }
    streamReady = false;
    CompletableFuture<ClientHandler> next = transports.transport(callOptions.isWaitForReady());
    synchronized (lock) {
      connection = next;
    }
    if (cancelled) {
      // Cancelled while we were moving: make sure the new wait is withdrawn.
      next.completeExceptionally(Status.CANCELLED.asRuntimeException());
    }
    attach(next, gen);
    return true;
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

  /** Schedules the deadline timer, on the connection's event loop if it is already up. */
  private void scheduleDeadline(long remainingNanos) {
    ScheduledExecutorService scheduler = fallbackScheduler;
    ClientHandler h = connection.isDone() && !connection.isCompletedExceptionally()
        ? connection.getNow(null) : null;
    if (h != null && h.context() != null) {
      // The timer then runs where the stream lives and resets it without a thread hop.
      scheduler = h.context().executor();
    }
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
    if (ended) {
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
    if (ended) {
      context.removeListener(l);
    }
  }

  /** Stops the timer and context listener; their work is done once the outcome is known. */
  private void releaseDeadlineAndContext() {
    ended = true;
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

  // ---------------------------------------------------------------- event loop

  private Http2Headers requestHeaders(Metadata metadata) {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .method(GrpcHeaders.POST)
        .scheme(GrpcHeaders.HTTP)
        .path(method.getPath())
        .authority(settings.authority)
        .set(GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC)
        .set(GrpcHeaders.TE, GrpcHeaders.TE_TRAILERS)
        .set(GrpcHeaders.USER_AGENT, settings.userAgent);
    String accept = settings.codecs.acceptEncoding();
    if (accept != null) {
      headers.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, accept);
    }
    if (outboundCodec != null) {
      headers.set(GrpcHeaders.GRPC_ENCODING, outboundCodec.encoding());
    }
    if (metadata != null) {
      GrpcHeaders.addMetadata(metadata, headers);
    }
    return headers;
  }

  private void createStream(ClientHandler handler, Http2Headers headers, int gen,
      int initialRequests) {
    if (gen != generation || done) {
      return;
    }
    if (cancelled) {
      Status status;
      synchronized (lock) {
        status = cancelStatus;
      }
      finish(status != null ? status : Status.CANCELLED, new Metadata());
      return;
    }
    ChannelHandlerContext ctx = handler.context();
    if (handler.isGoAwayReceived() || !ctx.channel().isActive()) {
      // Nothing was sent: try another connection.
      if (!retryTransparently(handler, false)) {
        finish(Status.UNAVAILABLE.withDescription("Connection closed before the call started"),
            new Metadata());
      }
      return;
    }
    if (deadline != null) {
      // Measured now, as the headers leave, and rounded down by encode(): the server never
      // believes it has more time than we will wait (PROTOCOL-HTTP2.md "Timeout").
      long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
      if (left <= 0) {
        finish(deadlineExceeded(), new Metadata());
        return;
      }
      headers.set(GrpcHeaders.GRPC_TIMEOUT, GrpcTimeout.encode(left));
    }
    int max = callOptions.getMaxInboundMessageSize() >= 0
        ? callOptions.getMaxInboundMessageSize()
        : settings.maxInboundMessageSize;
    deframerLimit = max;
    deframer = new MessageDeframer(this, ctx.alloc(), max);
    if (initialRequests > 0) {
      deframer.request(initialRequests);
    }
    try {
      streamId = handler.newStream(this);
    } catch (Exception e) {
      finish(Status.UNAVAILABLE.withDescription("Cannot open a stream: " + e.getMessage())
          .withCause(e), new Metadata());
      return;
    }
    ChannelPromise promise = ctx.newPromise();
    promise.addListener(f -> {
      if (!f.isSuccess() && gen == generation && !done) {
        // The HEADERS never left (GOAWAY or connection loss while they waited for a stream
        // slot): the server has not seen the call, so it may go elsewhere.
        if (!retryTransparently(handler, false)) {
          handler.forgetStream(streamId);
          finish(Status.UNAVAILABLE.withDescription("Failed to send request headers: "
              + f.cause()).withCause(f.cause()), new Metadata());
        }
      }
    });
    if (headers == null) {
      headers = handler.plainRequestHeaders(method.getPath());
    } else {
      headers.scheme(handler.scheme());
    }
    handler.encoder().writeHeaders(ctx, streamId, headers, 0, false, promise);
    streamReady = true;
    runCallback(() -> listener.onReady());
  }

  private void writeData(ByteBuf frame, int bytes, boolean endOfStream, int gen) {
    if (gen != generation || done || streamId < 0) {
      frame.release();
      sendBuffer.dropped(bytes);
      return;
    }
    ClientHandler handler = transport;
    ChannelHandlerContext ctx = handler.context();
    ChannelPromise promise = ctx.newPromise();
    if (bytes > 0) {
      promise.addListener(f -> onSent(bytes));
    }
    handler.encoder().writeData(ctx, streamId, frame, 0, endOfStream, promise);
    if (bytes > 0 && sendBuffer.handedOff(bytes, sendWindow())) {
      fireOnReady();
    }
  }

  private void onSent(int bytes) {
    if (sendBuffer.sent(bytes, sendWindow())) {
      fireOnReady();
    }
  }

  /**
   * What the server's window lets this stream send now (RFC 9113 §6.9); 0 for a stream still
   * held back by the server's concurrency limit, which has no window yet.
   */
  private int sendWindow() {
    ClientHandler handler = transport;
    io.netty.handler.codec.http2.Http2Stream stream =
        handler == null || streamId < 0 ? null : handler.connection().stream(streamId);
    if (stream == null || stream.state() == io.netty.handler.codec.http2.Http2Stream.State.CLOSED) {
      return 0;
    }
    return handler.encoder().flowController().windowSize(stream);
  }

  private void fireOnReady() {
    if (!cancelled && !done) {
      runCallback(() -> listener.onReady());
    }
  }

  void inboundHeaders(Http2Headers headers, boolean endOfStream) {
    if (done) {
      return;
    }
    if (!headersReceived) {
      headersReceived = true;
      // The server processed the call: it can no longer be replayed.
      synchronized (lock) {
        dropReplay();
      }
      CharSequence httpStatus = headers.status();
      if (httpStatus == null || !GrpcHeaders.STATUS_OK.contentEquals(httpStatus)) {
        Status status = httpStatus == null
            ? Status.INTERNAL.withDescription("Response has no :status")
            : httpStatusError(httpStatus, headers);
        abort(status);
        return;
      }
      if (!endOfStream) {
        CharSequence contentType = headers.get(GrpcHeaders.CONTENT_TYPE);
        if (!GrpcHeaders.isGrpcContentType(contentType)) {
          abort(Status.INTERNAL.withDescription("Invalid content-type: " + contentType));
          return;
        }
        CharSequence encoding = headers.get(GrpcHeaders.GRPC_ENCODING);
        if (encoding != null && !AsciiString.contentEquals(encoding, CodecRegistry.IDENTITY)) {
          inboundCodec = settings.codecs.lookup(encoding.toString());
          if (inboundCodec == null) {
            abort(Status.INTERNAL.withDescription("Can't find decompressor for " + encoding));
            return;
          }
        }
        Metadata metadata;
        try {
          metadata = GrpcHeaders.toMetadata(headers);
        } catch (IllegalArgumentException e) {
          abort(Status.INTERNAL.withDescription(e.getMessage()));
          return;
        }
        runCallback(() -> listener.onHeaders(metadata));
        return;
      }
    } else if (!endOfStream) {
      abort(Status.INTERNAL.withDescription("Received a third HEADERS frame without END_STREAM"));
      return;
    }
    // Trailers, or a Trailers-Only response.
    Status status = GrpcHeaders.statusFromTrailers(headers);
    if (status == null) {
      status = Status.UNKNOWN.withDescription("Response trailers have no grpc-status");
    }
    Metadata trailers;
    try {
      trailers = GrpcHeaders.toMetadata(headers);
    } catch (IllegalArgumentException e) {
      status = Status.INTERNAL.withDescription(e.getMessage());
      trailers = new Metadata();
    }
    trailerStatus = status;
    trailerMetadata = trailers;
    // Messages still buffered are delivered first; endOfStream() then reports the status.
    deframer.endOfStream();
  }

  private static Status httpStatusError(CharSequence httpStatus, Http2Headers headers) {
    int code;
    try {
      code = Integer.parseInt(httpStatus.toString());
    } catch (NumberFormatException e) {
      return Status.INTERNAL.withDescription("Malformed :status " + httpStatus);
    }
    Status status = GrpcHeaders.statusFromHttp(code);
    CharSequence message = headers.get(GrpcHeaders.GRPC_MESSAGE);
    return message == null ? status : status.augmentDescription(
        dev.tern.internal.StatusMessageCodec.decode(message));
  }

  void inboundData(ByteBuf data, boolean endOfStream) {
    if (done) {
      data.release();
      return;
    }
    deframer.deframe(data);
    if (endOfStream) {
      // A response must end with trailers (PROTOCOL-HTTP2.md).
      abort(Status.INTERNAL.withDescription("Response ended without trailers"));
    }
  }

  void inboundReset(long errorCode) {
    if (done) {
      return;
    }
    if (errorCode == Http2Error.REFUSED_STREAM.code()
        && retryTransparently(transport, true)) {
      // RFC 9113 §8.7: REFUSED_STREAM means the server did not process the stream.
      return;
    }
    Status status = Http2Errors.statusForRstStream(errorCode);
    if (status.getCode() == Status.Code.CANCELLED && deadline != null && deadline.isExpired()) {
      // The server's deadline timer fired before ours and it reset the stream: the call ran out
      // of time, and that is what the application should hear (grpc-java reports it so too).
      status = deadlineExceeded();
    }
    finish(status, new Metadata());
  }

  /** The stream (or the connection) closed: if no status arrived, the call failed. */
  void streamClosed(ClientHandler from) {
    if (from != transport) {
      // An earlier attempt's connection: the call has moved on (transparent retry).
      return;
    }
    if (!done && trailerStatus == null) {
      ClientHandler handler = transport;
      if (handler != null && streamId > 0 && handler.neverProcessed(streamId)
          && retryTransparently(handler, handler.wasSent(streamId))) {
        // Above a GOAWAY's last-stream-id, or never sent before the connection went away.
        return;
      }
      String reason = handler == null ? null : handler.closeReason();
      finish(Status.UNAVAILABLE.withDescription(reason != null ? reason
          : "Stream closed before the response completed (connection lost or GOAWAY)"),
          new Metadata());
    }
  }

  /** Fails the call from the transport side and resets the stream. */
  private void abort(Status status) {
    if (done) {
      return;
    }
    finish(status, new Metadata());
    ClientHandler handler = transport;
    handler.encoder().writeRstStream(handler.context(), streamId, Http2Error.CANCEL.code(),
        handler.context().newPromise());
  }

  @Override
  public void messageRead(ByteBuf message, boolean compressed, int frameBytes) {
    if (frameBytes > 0) {
      transport.returnBytes(streamId, frameBytes);
    }
    Codec codec = inboundCodec;
    if (compressed && codec == null) {
      message.release();
      // PROTOCOL-HTTP2.md: the Compressed-Flag requires a grpc-encoding other than identity.
      abort(Status.INTERNAL.withDescription(
          "Compressed message received but the response has no grpc-encoding"));
      return;
    }
    int maxInbound = deframerLimit;
    runCallback(() -> {
      RespT response;
      ByteBuf bytes = message;
      try {
        if (listenerClosed.get() || inboundFailure != null) {
          return;
        }
        if (compressed) {
          bytes = null;
          // Decompressed on the listener's executor, off the event loop.
          bytes = Compression.decompress(codec, message,
              io.netty.buffer.PooledByteBufAllocator.DEFAULT, maxInbound);
        }
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
    });
  }

  @Override
  public void bytesConsumed(int bytes) {
    transport.returnBytes(streamId, bytes);
  }

  @Override
  public void endOfStream() {
    finish(trailerStatus, trailerMetadata);
  }

  @Override
  public void deframeFailed(Status status) {
    abort(status);
  }

  /** Ends the call on the event loop: releases buffers and reports the status once. */
  private void finish(Status status, Metadata trailers) {
    if (done) {
      return;
    }
    done = true;
    synchronized (lock) {
      dropReplay();
    }
    finished = true;
    sendBuffer.wake();
    if (deframer != null) {
      deframer.close();
    }
    if (streamId > 0 && transport != null) {
      transport.forgetStream(streamId);
    }
    closeListener(status, trailers);
  }

  private void closeListener(Status status, Metadata trailers) {
    releaseDeadlineAndContext();
    runCallback(() -> {
      if (listenerClosed.compareAndSet(false, true)) {
        if (inboundFailure != null) {
          listener.onClose(inboundFailure, new Metadata());
        } else {
          listener.onClose(status, trailers);
        }
      }
    });
  }

  private void runCallback(Runnable task) {
    if (callbackExecutor == null) {
      runGuarded(task); // no wrapper to allocate on the event loop
    } else {
      callbackExecutor.execute(() -> runGuarded(task));
    }
  }

  private void runGuarded(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      // A throwing listener must not break the transport; cancel the call instead.
      cancel(Status.CANCELLED.withDescription("Listener threw an exception").withCause(t));
    }
  }
}
