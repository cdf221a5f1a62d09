package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import dev.tern.internal.Compression;
import dev.tern.internal.MessageDeframer;
import dev.tern.internal.MessageFramer;
import dev.tern.internal.SerializingExecutor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server side of one call on one HTTP/2 stream.
 *
 * <p>Thread-safe in the {@link ServerCall} sense: the application calls it from its callback
 * thread; transport events arrive on the event loop and reach the application through the
 * call's serializing executor. Fields are grouped by the thread that owns them.
 *
 * <p>Each call has its own {@link Context.CancellableContext} (a child of {@link Context#ROOT}),
 * attached around {@code startCall} and every listener callback. It carries the deadline the
 * client sent in {@code grpc-timeout}, is cancelled when the deadline passes, the client resets
 * the stream or the connection drops, and is closed when the call completes, so a handler can poll
 * {@link Context#isCancelled()}, listen for it, or hand it to downstream calls.
 */
final class ServerCallImpl<ReqT, RespT> extends ServerCall<ReqT, RespT>
    implements MessageDeframer.Sink {
  private static final System.Logger LOG = System.getLogger(ServerCallImpl.class.getName());

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

  private final ServerHandler handler;
  private final Http2Stream stream;
  private final MethodDescriptor<ReqT, RespT> method;
  private final ServerCallHandler<ReqT, RespT> callHandler;
  private final Executor callbackExecutor;
  private final String authority;
  private final SendBuffer sendBuffer;
  /** Decodes the request messages (the request's grpc-encoding); null for identity. */
  private final Codec inboundCodec;
  /** The client's grpc-accept-encoding, or null. */
  private final String acceptEncoding;
  private final Context.CancellableContext context;
  /** This call's tracers (ServerCallTracer.NONE without factories). */
  private final ServerCallTracer tracer;
  // The decoded grpc-timeout, or -1 if the client sent none.
  private final long timeoutNanos;
  private volatile boolean cancelled;
  // Set on the event loop when the stream has closed; read by the context listener.
  private volatile boolean streamDone;

  // Event-loop state.
  private final MessageDeframer deframer;
  private boolean headersWritten;
  private boolean terminated;
  private boolean closedByApplication;
  private boolean started;
  // Why the call ended other than by the application's close(): what the context is cancelled
  // with. Set when the client resets the stream or we end the call ourselves.
  private Throwable endCause;
  // The status written to the client, when one was: what the tracers hear as the call's end.
  private Status writtenStatus;

  // Application (callback) thread state.
  private Listener<ReqT> listener;
  private boolean applicationHeadersSent;
  private boolean closeCalled;
  private boolean callbacksStopped;
  private boolean inboundFailed;
  private boolean sendFailed;
  private Codec outboundCodec;
  private boolean messageCompression = true;

  private ServerCallImpl(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<ReqT, RespT> definition, CharSequence authority, Codec inboundCodec,
      CharSequence acceptEncoding, long timeoutNanos, ServerCallTracer tracer) {
    this.handler = handler;
    this.stream = stream;
    this.method = definition.getMethodDescriptor();
    this.callHandler = definition.getServerCallHandler();
    Executor executor = handler.callbackExecutor();
    this.callbackExecutor = executor == null ? null : new SerializingExecutor(executor);
    this.authority = authority == null ? null : authority.toString();
    this.deframer = new MessageDeframer(this, handler.context().alloc(),
        handler.settings().maxInboundMessageSize());
    this.sendBuffer = new SendBuffer(handler.settings().sendBufferLimit());
    this.inboundCodec = inboundCodec;
    this.acceptEncoding = acceptEncoding == null ? null : acceptEncoding.toString();
    this.timeoutNanos = timeoutNanos;
    this.tracer = tracer;
    this.context = newContext(handler, timeoutNanos);
  }

  /**
   * {@code timeoutNanos} is the decoded {@code grpc-timeout}, or -1 for none. Runs on the event
   * loop, where the deadline timer is scheduled: the timer then resets the stream without a hop.
   */
  static ServerCallImpl<?, ?> create(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<?, ?> definition, Http2Headers headers, Codec inboundCodec,
      long timeoutNanos, ServerCallTracer tracer) {
    return new ServerCallImpl<>(handler, stream, definition, headers.authority(), inboundCodec,
        headers.get(GrpcHeaders.GRPC_ACCEPT_ENCODING), timeoutNanos, tracer);
  }

  private static Context.CancellableContext newContext(ServerHandler handler, long timeoutNanos) {
    if (timeoutNanos < 0) {
      return Context.ROOT.withCancellation();
    }
    try {
      return Context.ROOT.withDeadline(
          Deadline.after(timeoutNanos, TimeUnit.NANOSECONDS), handler.context().executor());
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down: start() finds the context cancelled and ends the call.
      Context.CancellableContext c = Context.ROOT.withCancellation();
      c.cancel(Status.UNAVAILABLE.withDescription("Server shutting down").withCause(e)
          .asRuntimeException());
      return c;
    }
  }

  // ---------------------------------------------------------------- event loop → application

  void start(Metadata headers) {
    if (context.isCancelled()) {
      // The deadline had passed when the request arrived ("0n"): the handler is not started.
      endLocally(cancelledContextStatus());
      return;
    }
    if (timeoutNanos >= 0) {
      // Only a deadline (or the application, with the context it is given) can cancel the
      // context while the call runs; calls without a deadline need no listener.
      context.addListener(c -> {
        if (!streamDone) {
          contextCancelled();
        }
      }, Runnable::run);
    }
    started = true;
    runCallback(() -> {
      tracer.serverCallStarted(method, handler.attributes());
      listener = callHandler.startCall(this, headers);
      if (listener == null) {
        throw new NullPointerException("startCall returned a null listener for " + method);
      }
      listener.onReady();
    });
  }

  void inboundData(ByteBuf data, boolean endOfStream) {
    deframer.deframe(data);
    if (endOfStream) {
      deframer.endOfStream();
    }
  }

  void inboundEnded() {
    deframer.endOfStream();
  }

  @Override
  public void messageRead(ByteBuf message, boolean compressed, int frameBytes) {
    if (frameBytes > 0) {
      handler.returnBytes(stream, frameBytes);
    }
    if (compressed && inboundCodec == null) {
      message.release();
      // PROTOCOL-HTTP2.md: the Compressed-Flag requires a grpc-encoding other than identity.
      abort(Status.INTERNAL.withDescription(
          "Compressed message received but the request has no grpc-encoding"));
      return;
    }
    int wireSize = message.readableBytes();
    runCallback(new Runnable() {
      @Override
      public void run() {
        ReqT request;
        ByteBuf bytes = message;
        int uncompressedSize = wireSize;
        try {
          if (callbacksStopped || inboundFailed) {
            return;
          }
          if (compressed) {
            bytes = null;
            // Decompressed here, off the event loop unless the server runs handlers there.
            bytes = Compression.decompress(inboundCodec, message, handler.context().alloc(),
                handler.settings().maxInboundMessageSize());
            uncompressedSize = bytes.readableBytes();
          }
          request = method.getRequestMarshaller().parse(bytes);
          tracer.inboundMessage(wireSize, uncompressedSize);
        } catch (StatusRuntimeException e) {
          inboundFailed = true;
          // The handler hears onCancel once the status is out and the stream closes.
          handler.writeQueue().enqueue(() -> abort(e.getStatus()));
          return;
        } finally {
          if (bytes != null) {
            bytes.release();
          }
        }
        listener.onMessage(request);
      }
    });
  }

  @Override
  public void bytesConsumed(int bytes) {
    handler.returnBytes(stream, bytes);
  }

  @Override
  public void endOfStream() {
    runCallback(() -> {
      if (!inboundFailed) {
        listener.onHalfClose();
      }
    });
  }

  @Override
  public void deframeFailed(Status status) {
    abort(status);
  }

  /** The client reset the stream; Netty closes it next (streamClosed). */
  void resetByClient(long errorCode) {
    if (terminated) {
      return;
    }
    Deadline deadline = context.getDeadline();
    if (errorCode == Http2Error.CANCEL.code() && deadline != null
        && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= RESET_AT_DEADLINE_ALLOWANCE_NANOS) {
      endCause = new TimeoutException("deadline exceeded: the client reset the stream as the "
          + "deadline (grpc-timeout of " + ClientCallImpl.seconds(timeoutNanos) + ") passed");
    } else {
      // PROTOCOL-HTTP2.md "Errors": CANCEL -> CANCELLED, ENHANCE_YOUR_CALM -> RESOURCE_EXHAUSTED...
      endCause = Http2Errors.statusForRstStream(errorCode).asRuntimeException();
    }
  }

  /** The HTTP/2 stream closed: the call either completed or was cut short. */
  void streamClosed() {
    deframer.close();
    terminated = true;
    streamDone = true;
    sendBuffer.wake();
    Status finalStatus = writtenStatus != null ? writtenStatus : statusOf(endCause);
    if (closedByApplication) {
      // The context ends after onComplete, so work the handler left running can still finish.
      runCallbackThenCloseContext(() -> listener.onComplete());
      runLast(() -> tracer.streamClosed(finalStatus));
    } else {
      cancelled = true;
      Throwable cause = endCause != null ? endCause
          : Status.CANCELLED.withDescription("Connection closed before the call completed")
              .asRuntimeException();
      // Promptly, without waiting for the application's callbacks: downstream work stops now.
      context.cancel(cause);
      if (started) {
        runCallback(() -> listener.onCancel());
      }
      runLast(() -> tracer.streamClosed(finalStatus));
    }
  }

  /** The status a call cut short by {@code cause} ended with, as its tracers report it. */
  private static Status statusOf(Throwable cause) {
    if (cause == null) {
      return Status.CANCELLED.withDescription("Connection closed before the call completed");
    }
    if (cause instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(cause.getMessage());
    }
    return Status.fromThrowable(cause);
  }

  /** Ends the call from the transport side: the status goes to the client, the handler is cancelled. */
  private void abort(Status status) {
    deframer.close();
    if (terminated) {
      return;
    }
    terminated = true;
    endCause = status.asRuntimeException();
    writeStatus(status, new Metadata());
  }

  /** The context was cancelled while the call ran: its deadline passed (or the handler did it). */
  private void contextCancelled() {
    handler.runOnEventLoop(() -> {
      if (!terminated) {
        endLocally(cancelledContextStatus());
      }
    });
  }

  private Status cancelledContextStatus() {
    if (context.cancellationCause() instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after "
          + ClientCallImpl.seconds(timeoutNanos) + " (grpc-timeout) on the server");
    }
    Status status = Contexts.statusFromCancelled(context);
    return status != null ? status : Status.CANCELLED;
  }

  /**
   * Ends the call on the server's initiative (event loop): the status goes to the client if the
   * stream can still carry it, then RST_STREAM(CANCEL) stops the request side too. The stream's
   * closing then cancels the handler (onCancel).
   */
  private void endLocally(Status status) {
    terminated = true;
    cancelled = true;
    sendBuffer.wake();
    deframer.close();
    endCause = status.asRuntimeException();
    ChannelHandlerContext ctx = handler.context();
    Http2Stream.State state = stream.state();
    if (state == Http2Stream.State.OPEN || state == Http2Stream.State.HALF_CLOSED_REMOTE) {
      Http2Headers headers = headersWritten ? new DefaultHttp2Headers(false) : responseHeaders();
      headersWritten = true;
      writtenStatus = status;
      GrpcHeaders.addStatus(status, headers);
      handler.encoder().writeHeaders(ctx, stream.id(), headers, 0, true, ctx.newPromise());
    }
    if (stream.state() != Http2Stream.State.CLOSED) {
      // If the status is still queued behind flow control, the reset drops it: with the deadline
      // gone, a prompt end matters more than the status (the client's own timer reports it).
      handler.encoder().writeRstStream(ctx, stream.id(), Http2Error.CANCEL.code(),
          ctx.newPromise());
    }
    ctx.flush();
  }

  private void runCallback(Runnable task) {
    if (callbackExecutor == null) {
      runGuarded(task); // no wrapper to allocate on the event loop
    } else {
      callbackExecutor.execute(() -> runGuarded(task));
    }
  }

  private void runGuarded(Runnable task) {
    if (callbacksStopped) {
      return;
    }
    Context previous = context.attach();
    try {
      task.run();
    } catch (Throwable t) {
      applicationFailed(t);
    } finally {
      context.detach(previous);
    }
  }

  /** Runs {@code task} like {@link #runCallback}, then closes the context whatever happened. */
  private void runCallbackThenCloseContext(Runnable task) {
    runCallback(task);
    // Not guarded like callbacks: the context must end even if the handler threw earlier.
    runLast(context::close);
  }

  /** Runs {@code task} after the callbacks queued so far, even if the handler threw. */
  private void runLast(Runnable task) {
    if (callbackExecutor == null) {
      task.run();
    } else {
      callbackExecutor.execute(task);
    }
  }

  /** A handler threw: INTERNAL for the client (no details sent), the rest of the server unharmed. */
  private void applicationFailed(Throwable t) {
    Status status;
    if (t instanceof StatusRuntimeException || t instanceof StatusException) {
      status = Status.fromThrowable(t);
    } else {
      LOG.log(System.Logger.Level.WARNING,
          "Exception from the handler of " + method.getFullMethodName(), t);
      status = Status.INTERNAL.withDescription("Application error processing RPC");
    }
    callbacksStopped = true;
    if (!closeCalled) {
      closeCalled = true;
      handler.writeQueue().enqueue(() -> {
        if (!terminated) {
          terminated = true;
          endCause = status.asRuntimeException();
          writeStatus(status, new Metadata());
        }
      });
    }
  }

  // ---------------------------------------------------------------- application → transport

  @Override
  public void request(int numMessages) {
    if (handler.context().executor().inEventLoop()) {
      deframer.request(numMessages);
    } else {
      // Through the write queue: a handler's request, response and close (what a unary call
      // does from startCall on) then cost one event-loop task and one flush, not two.
      handler.writeQueue().enqueue(() -> deframer.request(numMessages));
    }
  }

  @Override
  public void sendHeaders(Metadata headers) {
    if (closeCalled) {
      throw new IllegalStateException("call is closed");
    }
    if (applicationHeadersSent) {
      throw new IllegalStateException("headers already sent");
    }
    applicationHeadersSent = true;
    Codec codec = outboundCodec;
    handler.writeQueue().enqueue(() -> writeHeaders(headers, codec));
  }

  /**
   * Queues one response message. It is written as the client's flow-control window allows;
   * until then it stays in memory. A handler that ignores {@link #isReady()} therefore costs
   * the memory of everything it sends ahead of the client's reading, up to the server's send
   * buffer limit ({@code TernServer.Builder.sendBufferLimit}, 1 MiB by default) plus one
   * message. Past that limit this method blocks the handler's thread until the client reads
   * or the call ends; on an event-loop thread (a {@code directExecutor()} server), which must
   * not block, the call is closed with RESOURCE_EXHAUSTED instead.
   */
  @Override
  public void sendMessage(RespT message) {
    if (closeCalled) {
      throw new IllegalStateException("call is closed");
    }
    if (cancelled || sendFailed) {
      return;
    }
    if (!applicationHeadersSent) {
      applicationHeadersSent = true;
      Codec codec = outboundCodec;
      handler.writeQueue().enqueue(() -> writeHeaders(null, codec));
    }
    if (!awaitSendRoom()) {
      return;
    }
    ByteBuf framed;
    int uncompressedSize;
    try {
      ByteBuf frame = MessageFramer.frame(method.getResponseMarshaller(), message,
          handler.context().alloc(), handler.settings().maxOutboundMessageSize());
      uncompressedSize = frame.readableBytes() - MessageDeframer.HEADER_LENGTH;
      Codec codec = messageCompression ? outboundCodec : null;
      if (codec != null) {
        frame = Compression.compressFramed(frame, handler.context().alloc(), codec);
      }
      framed = frame;
    } catch (StatusRuntimeException e) {
      close(e.getStatus(), new Metadata());
      return;
    }
    ByteBuf frame = framed;
    int bytes = frame.readableBytes();
    tracer.outboundMessage(bytes - MessageDeframer.HEADER_LENGTH, uncompressedSize);
    sendBuffer.add(bytes);
    handler.writeQueue().enqueue(() -> writeMessage(frame, bytes));
  }

  /** Applies the send buffer limit; false if the message must be dropped (the call is ending). */
  private boolean awaitSendRoom() {
    if (sendBuffer.hasRoom()) {
      return true;
    }
    SendBuffer.Room room = sendBuffer.awaitRoom(() -> cancelled);
    switch (room) {
      case AVAILABLE:
        return true;
      case CALL_ENDED:
        return false;
      case CANNOT_BLOCK:
        sendFailed = true;
        failFromApplication(Status.RESOURCE_EXHAUSTED.withDescription(
            "Send buffer limit of " + handler.settings().sendBufferLimit() + " bytes exceeded: the"
                + " handler ignores isReady() on an event-loop thread, which cannot wait"));
        return false;
      default:
        sendFailed = true;
        failFromApplication(Status.CANCELLED.withDescription(
            "Thread interrupted while waiting to send"));
        return false;
    }
  }

  /** Ends the call with {@code status} on behalf of the application; it hears onCancel. */
  private void failFromApplication(Status status) {
    handler.writeQueue().enqueue(() -> abort(status));
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (closeCalled) {
      throw new IllegalStateException("call already closed");
    }
    closeCalled = true;
    handler.writeQueue().enqueue(() -> {
      if (!terminated) {
        terminated = true;
        closedByApplication = true;
        writeStatus(status, trailers);
      }
    });
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Whether a message sent now would leave at once: little (32 KiB) is on its way to the event
   * loop, and little waits beyond what the client's stream window lets out (see SendBuffer).
   */
  @Override
  public boolean isReady() {
    return !cancelled && sendBuffer.isReady();
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    messageCompression = enabled;
  }

  /**
   * Uses {@code compressor} for the response if the client's {@code grpc-accept-encoding} lists
   * it; otherwise the response stays uncompressed (PROTOCOL-HTTP2.md: a server must not use an
   * encoding the client did not accept).
   *
   * @throws IllegalArgumentException if the server has no codec of that name
   * @throws IllegalStateException after headers or a message were sent
   */
  @Override
  public void setCompression(String compressor) {
    if (applicationHeadersSent) {
      throw new IllegalStateException("setCompression must be called before sending headers");
    }
    if (CodecRegistry.IDENTITY.equals(compressor)) {
      outboundCodec = null;
      return;
    }
    Codec codec = handler.settings().codecs().lookup(compressor);
    if (codec == null) {
      throw new IllegalArgumentException("Unable to find compressor by name " + compressor);
    }
    if (GrpcHeaders.listContains(acceptEncoding, compressor)) {
      outboundCodec = codec;
    }
  }

  @Override
  public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return method;
  }

  @Override
  public Attributes getAttributes() {
    return handler.attributes();
  }

  @Override
  public String getAuthority() {
    return authority;
  }

  // ---------------------------------------------------------------- event-loop writes

  private void writeHeaders(Metadata metadata, Codec codec) {
    if (terminated || headersWritten) {
      return;
    }
    headersWritten = true;
    Http2Headers headers;
    if (codec == null && (metadata == null || metadata.isEmpty())) {
      headers = handler.plainResponseHeaders();
    } else {
      headers = responseHeaders();
      if (codec != null) {
        headers.set(GrpcHeaders.GRPC_ENCODING, codec.encoding());
      }
      if (metadata != null) {
        GrpcHeaders.addMetadata(metadata, headers);
      }
    }
    ChannelHandlerContext ctx = handler.context();
    handler.encoder().writeHeaders(ctx, stream.id(), headers, 0, false, ctx.newPromise());
  }

  private void writeMessage(ByteBuf frame, int bytes) {
    if (terminated) {
      frame.release();
      sendBuffer.dropped(bytes);
      return;
    }
    ChannelHandlerContext ctx = handler.context();
    ChannelPromise promise = ctx.newPromise();
    promise.addListener(f -> onSent(bytes));
    handler.encoder().writeData(ctx, stream.id(), frame, 0, false, promise);
    if (sendBuffer.handedOff(bytes, sendWindow())) {
      fireOnReady();
    }
  }

  private void onSent(int bytes) {
    if (sendBuffer.sent(bytes, sendWindow())) {
      fireOnReady();
    }
  }

  /** What the client's window lets this stream send now (RFC 9113 §6.9). */
  private int sendWindow() {
    return stream.state() == Http2Stream.State.CLOSED
        ? 0 : handler.encoder().flowController().windowSize(stream);
  }

  private void fireOnReady() {
    if (!cancelled && !terminated) {
      runCallback(() -> listener.onReady());
    }
  }

  /** Writes the status: as trailers, or as a Trailers-Only response if no headers went out. */
  private void writeStatus(Status status, Metadata trailers) {
    if (stream.state() == Http2Stream.State.CLOSED) {
      return;
    }
    Http2Headers headers;
    if (headersWritten && status.isOk() && status.getDescription() == null
        && (trailers == null || trailers.isEmpty())) {
      headers = GrpcHeaders.OK_TRAILERS;
    } else {
      headers = headersWritten ? new DefaultHttp2Headers(false) : responseHeaders();
      GrpcHeaders.addStatus(status, headers);
      if (trailers != null) {
        GrpcHeaders.addMetadata(trailers, headers);
      }
    }
    headersWritten = true;
    writtenStatus = status;
    handler.writeFinalHeaders(stream, headers);
  }

  private Http2Headers responseHeaders() {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC);
    String accept = handler.settings().codecs().acceptEncoding();
    if (accept != null) {
      headers.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, accept);
    }
    return headers;
  }
}
