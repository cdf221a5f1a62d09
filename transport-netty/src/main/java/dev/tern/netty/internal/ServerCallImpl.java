package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Codec;
import dev.tern.CodecRegistry;
import dev.tern.Context;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;

/**
 * The server side of one call on one HTTP/2 stream: a thin adapter between {@link ServerCall} and
 * the shared call core ({@link MessageReader} in, {@link MessageWriter} out,
 * {@link CallbackDispatcher} to the handler's listener).
 *
 * <p>State: the stream's side of the call is one {@link ServerCallState}, moved only on the
 * event loop by {@link #moveTo}; what the application has sent is one {@link Outbound}, moved only on the
 * application's thread (ServerCall's methods are not called concurrently).
 *
 * <p>Thread rule: transport events arrive on the event loop and reach the application through the
 * dispatcher; the application calls in from its callback thread, and its writes reach the event
 * loop through the connection's write queue. {@link #isCancelled} and {@link #isReady} read the
 * volatile {@link ServerCallState} from any thread.
 *
 * <p>Each call has its own {@link Context.CancellableContext} (a child of {@link Context#ROOT}),
 * attached around {@code startCall} and every listener callback. It carries the deadline the
 * client sent in {@code grpc-timeout}, is cancelled when the deadline passes, the client resets
 * the stream or the connection drops, and is closed when the call completes, so a handler can poll
 * {@link Context#isCancelled()}, listen for it, or hand it to downstream calls.
 */
final class ServerCallImpl<ReqT, RespT> extends ServerCall<ReqT, RespT>
    implements MessageReader.Target, MessageWriter.DataSink {
  private static final System.Logger LOG = System.getLogger(ServerCallImpl.class.getName());

  /** What the application has sent, in the order it may happen. Application thread only. */
  enum Outbound {
    /** Nothing yet: the encoding may still change. */
    NOTHING_SENT,
    /** Response headers sent (explicitly or with the first message). */
    HEADERS_SENT,
    /** A message could not be sent; the call is failing and later messages are dropped. */
    SEND_FAILED,
    /** close() was called (or the handler failed): nothing more may be sent. */
    CLOSED
  }

  private final ServerHandler handler;
  private final Http2Stream stream;
  private final MethodDescriptor<ReqT, RespT> method;
  private final ServerCallHandler<ReqT, RespT> callHandler;
  private final String authority;
  /** The client's grpc-accept-encoding, or null. */
  private final String acceptEncoding;
  private final ServerCallContext callContext;
  private final Context.CancellableContext context;
  private final ServerCallTracer tracer;
  /** The response's content-type when not plain {@code application/grpc} (e.g. +json). */
  private final AsciiString contentType;
  private final MessageReader reader;
  private final MessageWriter writer;
  private final CallbackDispatcher dispatcher;
  /**
   * For a one-message request on a pool: the request read ahead, so the call starts with it in
   * one task (see HeldRequest); null otherwise.
   */
  private final HeldRequest held;
  /** With {@link #held}: the call waits for its request before it starts. Event loop. */
  private boolean startDeferred;
  /** The request headers, until the start task takes them. Event loop. */
  private Metadata startHeaders;

  /** Written on the event loop only (moveTo); read anywhere. */
  private volatile ServerCallState state = ServerCallState.NEW;
  // Event loop: why the call ended other than by the application's close(), what the context is
  // cancelled with; and the status written to the client, what the tracers hear as the end.
  private Throwable endCause;
  private Status writtenStatus;

  // Application (callback) thread.
  private Outbound outbound = Outbound.NOTHING_SENT;
  private Listener<ReqT> listener;
  /** A request message failed to decode: no more onMessage or onHalfClose. */
  private boolean inboundFailed;

  private ServerCallImpl(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<ReqT, RespT> definition, CharSequence authority, Codec inboundCodec,
      CharSequence acceptEncoding, long timeoutNanos, AsciiString contentType,
      ServerCallTracer tracer) {
    this.handler = handler;
    this.contentType = contentType;
    this.stream = stream;
    this.method = definition.getMethodDescriptor();
    this.callHandler = definition.getServerCallHandler();
    this.authority = authority == null ? null : authority.toString();
    this.acceptEncoding = acceptEncoding == null ? null : acceptEncoding.toString();
    this.tracer = tracer;
    ServerSettings settings = handler.settings();
    ChannelHandlerContext ctx = handler.context();
    this.reader = new MessageReader(this, ctx.alloc(), settings.maxInboundMessageSize(),
        inboundCodec, "request");
    this.writer = new MessageWriter(settings.sendBufferLimit(),
        settings.maxOutboundMessageSize(), ctx.alloc());
    this.callContext = ServerCallContext.create(handler.context().executor(), timeoutNanos);
    this.context = callContext.context();
    this.dispatcher = new CallbackDispatcher(handler.callbackExecutor(), context,
        this::applicationFailed);
    this.held = !dispatcher.isInline() && method.getType().clientSendsOneMessage()
        ? new HeldRequest() : null;
  }

  /**
   * {@code timeoutNanos} is the decoded {@code grpc-timeout}, or -1 for none. Runs on the event
   * loop, where the deadline timer is scheduled: the timer then resets the stream without a hop.
   */
  static ServerCallImpl<?, ?> create(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<?, ?> definition, Http2Headers headers, Codec inboundCodec,
      long timeoutNanos, AsciiString contentType, ServerCallTracer tracer) {
    return new ServerCallImpl<>(handler, stream, definition, headers.authority(), inboundCodec,
        headers.get(GrpcHeaders.GRPC_ACCEPT_ENCODING), timeoutNanos, contentType, tracer);
  }

  // ---------------------------------------------------------------- the state machine

  /**
   * Moves the stream's state to {@code next} if {@link ServerCallState}'s table allows it from
   * the current state; returns whether it did. Event loop only.
   */
  private boolean moveTo(ServerCallState next) {
    if (!state.canMoveTo(next)) {
      return false;
    }
    state = next;
    return true;
  }

  // ---------------------------------------------------------------- event loop → application

  void start(Metadata headers) {
    if (context.isCancelled()) {
      // The deadline had passed when the request arrived ("0n"): the handler is not started.
      endLocally(ServerCallState.REJECTED, callContext.cancelledStatus());
      return;
    }
    if (callContext.hasDeadline()) {
      // Only a deadline (or the application, with the context it is given) can cancel the
      // context while the call runs; calls without a deadline need no listener.
      context.addListener(c -> {
        if (!state.isClosed()) {
          contextCancelled();
        }
      }, Runnable::run);
    }
    moveTo(ServerCallState.STARTED);
    startHeaders = headers;
    if (held != null) {
      // Read the one-message request ahead; the call starts when it is in (or the client ends
      // the stream, or the stream ends otherwise: releaseDeferredStart).
      startDeferred = true;
      reader.request(HeldRequest.READ_AHEAD);
      return;
    }
    dispatchStart();
  }

  /** Event loop: hands the handler its call (with a held request: and what it asks of it). */
  private void dispatchStart() {
    startDeferred = false;
    Metadata headers = startHeaders;
    startHeaders = null;
    dispatcher.dispatch(() -> {
      tracer.serverCallStarted(method, handler.attributes());
      listener = callHandler.startCall(this, headers);
      if (listener == null) {
        throw new NullPointerException("startCall returned a null listener for " + method);
      }
      listener.onReady();
      if (held != null) {
        deliverHeld();
      }
    });
  }

  /** Event loop: a deferred start happens now, as the call ends before its request was in. */
  private void releaseDeferredStart() {
    if (startDeferred) {
      dispatchStart();
    }
  }

  /** Callback thread: delivers the held request as far as the application asked for it. */
  private void deliverHeld() {
    for (;;) {
      switch (held.take()) {
        case MESSAGE -> deliverMessage(held.message(), held.compressed(), held.wireSize());
        case HALF_CLOSE -> deliverHalfClose();
        default -> {
          return;
        }
      }
    }
  }

  void inboundData(ByteBuf data, boolean endOfStream) {
    reader.deframe(data);
    if (endOfStream) {
      reader.endOfStream();
    }
  }

  void inboundEnded() {
    reader.endOfStream();
  }

  @Override
  public void messageRead(ByteBuf message, boolean compressed, int wireSize) {
    if (held != null) {
      if (held.hold(message, compressed, wireSize) < 0) {
        message.release(); // the call ended
      } else if (startDeferred) {
        // The request is in: the call starts. The end of the stream, in the same DATA frame
        // as a rule, is queued behind it while that task is still pending or running.
        dispatchStart();
      } else {
        dispatcher.dispatch(this::deliverHeld);
      }
      return;
    }
    dispatcher.dispatch(new CallbackDispatcher.Owning() {
      @Override
      public void run() {
        deliverMessage(message, compressed, wireSize);
      }

      @Override
      public void dropped() {
        message.release();
      }
    });
  }

  /** Callback thread: decodes and hands over one request message; releases its buffer. */
  private void deliverMessage(ByteBuf message, boolean compressed, int wireSize) {
    ReqT request;
    ByteBuf bytes = message;
    try {
      if (inboundFailed) {
        return;
      }
      bytes = null;
      // Decompressed here, off the event loop unless the server runs handlers there.
      bytes = reader.decode(message, compressed);
      tracer.inboundMessage(wireSize, bytes.readableBytes());
      request = method.getRequestMarshaller().parse(bytes);
    } catch (StatusRuntimeException e) {
      inboundFailed = true;
      // The handler hears onCancel once the status is out and the stream closes.
      handler.writeQueue().enqueue(() -> fail(e.getStatus()));
      return;
    } finally {
      if (bytes != null) {
        bytes.release();
      }
    }
    listener.onMessage(request);
  }

  private void deliverHalfClose() {
    if (!inboundFailed) {
      listener.onHalfClose();
    }
  }

  @Override
  public void returnBytes(int bytes) {
    handler.returnBytes(stream, bytes);
  }

  @Override
  public void endOfStream() {
    if (held != null) {
      held.end();
      if (startDeferred) {
        dispatchStart(); // no message before the end: the handler sees the half-close
      } else {
        dispatcher.dispatch(this::deliverHeld);
      }
      return;
    }
    dispatcher.dispatch(this::deliverHalfClose);
  }

  @Override
  public void readFailed(Status status) {
    fail(status);
  }

  /** The client reset the stream; Netty closes it next (streamClosed). */
  void resetByClient(long errorCode) {
    if (state.isTerminated()) {
      return;
    }
    endCause = callContext.resetCause(errorCode);
  }

  /** The HTTP/2 stream closed: the call either completed or was cut short. */
  void streamClosed() {
    releaseDeferredStart(); // the handler hears of the call, then of its end
    reader.close();
    writer.wake();
    if (state == ServerCallState.STATUS_SENT && tracer == ServerCallTracer.NONE
        && dispatcher.runIfIdle(quietCompletion())) {
      return;
    }
    if (held != null) {
      afterCallbacks(held::release);
    }
    ServerCallState before = state;
    Status finalStatus = writtenStatus != null ? writtenStatus
        : ServerCallContext.statusOf(endCause);
    if (moveTo(ServerCallState.COMPLETE)) {
      // The context ends after onComplete, so work the handler left running can still finish.
      dispatcher.dispatch(() -> listener.onComplete());
      afterCallbacks(context::close);
    } else if (moveTo(ServerCallState.CANCELLED)) {
      Throwable cause = endCause != null ? endCause
          : Status.CANCELLED.withDescription("Connection closed before the call completed")
              .asRuntimeException();
      // Promptly, without waiting for the application's callbacks: downstream work stops now.
      context.cancel(cause);
      if (before != ServerCallState.REJECTED) {
        dispatcher.dispatch(() -> listener.onCancel());
      }
    }
    afterCallbacks(() -> tracer.streamClosed(finalStatus));
  }

  /**
   * A call that sent its status completes here, on the event loop, when no callback of it is
   * queued or running (so the handler has returned): the held request is released and the
   * context closed at once, and {@code onComplete} goes to the executor only if the listener
   * overrides it. For a unary call on a pool this saves the second hand-off to the executor and
   * the thread wake-up it costs (issue 14: one wake-up per call fewer). Runs serialized with the
   * call's callbacks (see CallbackDispatcher.runIfIdle).
   */
  private CallbackDispatcher.Owning quietCompletion() {
    return new CallbackDispatcher.Owning() {
      @Override
      public void run() {
        complete(listener != null && ListenerOverrides.onComplete(listener));
      }

      @Override
      public void dropped() {
        complete(false);
      }

      private void complete(boolean onComplete) {
        if (held != null) {
          held.release();
        }
        if (!moveTo(ServerCallState.COMPLETE)) {
          return;
        }
        if (onComplete) {
          // Queued behind this one, so it runs on the executor; the context ends after it.
          dispatcher.dispatch(() -> listener.onComplete());
          afterCallbacks(context::close);
        } else {
          context.close();
        }
      }
    };
  }

  /**
   * Ends the call from the server's side with an error status (event loop); the handler hears
   * onCancel once the stream closes.
   */
  private void fail(Status status) {
    reader.close();
    boolean headersWritten = state == ServerCallState.HEADERS_SENT;
    if (moveTo(ServerCallState.FAILED)) {
      endCause = status.asRuntimeException();
      writeStatus(headersWritten, status, new Metadata());
    }
  }

  /** The context was cancelled while the call ran: its deadline passed (or the handler did it). */
  private void contextCancelled() {
    handler.runOnEventLoop(
        () -> endLocally(ServerCallState.CUT_SHORT, callContext.cancelledStatus()));
  }

  /**
   * Ends the call on the server's initiative (event loop), moving to {@code cut} (CUT_SHORT, or
   * REJECTED before the handler started): the status goes to the client if the stream can still
   * carry it, then RST_STREAM(CANCEL) stops the request side too. The stream's closing then
   * cancels the handler (onCancel).
   */
  private void endLocally(ServerCallState cut, Status status) {
    boolean headersWritten = state == ServerCallState.HEADERS_SENT;
    if (!moveTo(cut)) {
      return;
    }
    writer.wake();
    reader.close();
    endCause = status.asRuntimeException();
    ChannelHandlerContext ctx = handler.context();
    Http2Stream.State streamState = stream.state();
    if (streamState == Http2Stream.State.OPEN
        || streamState == Http2Stream.State.HALF_CLOSED_REMOTE) {
      Http2Headers headers = headersWritten ? new DefaultHttp2Headers(false) : responseHeaders();
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

  /** Runs {@code task} after the callbacks dispatched so far, even if the handler threw. */
  private void afterCallbacks(Runnable task) {
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
    dispatcher.stop();
    if (outbound != Outbound.CLOSED) {
      outbound = Outbound.CLOSED;
      handler.writeQueue().enqueue(() -> fail(status));
    }
  }

  // ---------------------------------------------------------------- application → transport

  @Override
  public void request(int numMessages) {
    if (held != null) {
      if (numMessages <= 0) {
        return;
      }
      // Served from the request read ahead: no trip to the event loop. Called from a callback
      // (startCall), the delivery joins the running task.
      int more = held.credit(numMessages);
      dispatcher.dispatch(this::deliverHeld);
      if (more > 0) {
        handler.writeQueue().enqueue(() -> reader.request(more));
      }
      return;
    }
    if (handler.context().executor().inEventLoop()) {
      reader.request(numMessages);
    } else {
      // Through the write queue: a handler's request, response and close (what a unary call
      // does from startCall on) then cost one event-loop task and one flush, not two.
      handler.writeQueue().enqueue(() -> reader.request(numMessages));
    }
  }

  @Override
  public void sendHeaders(Metadata headers) {
    switch (outbound) {
      case CLOSED -> throw new IllegalStateException("call is closed");
      case HEADERS_SENT, SEND_FAILED -> throw new IllegalStateException("headers already sent");
      default -> { }
    }
    outbound = Outbound.HEADERS_SENT;
    Codec codec = writer.codec();
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
    if (outbound == Outbound.CLOSED) {
      throw new IllegalStateException("call is closed");
    }
    if (outbound == Outbound.SEND_FAILED || state.isCancelled()) {
      return;
    }
    if (outbound == Outbound.NOTHING_SENT) {
      outbound = Outbound.HEADERS_SENT;
      Codec codec = writer.codec();
      handler.writeQueue().enqueue(() -> writeHeaders(null, codec));
    }
    if (!awaitSendRoom()) {
      return;
    }
    ByteBuf frame;
    try {
      frame = writer.frame(method.getResponseMarshaller(), message);
    } catch (StatusRuntimeException e) {
      close(e.getStatus(), new Metadata());
      return;
    }
    int bytes = frame.readableBytes();
    writer.account(bytes);
    tracer.outboundMessage(MessageWriter.wireSize(frame), writer.lastUncompressedSize());
    handler.writeQueue().enqueue(() -> writeMessage(frame, bytes));
  }

  /** Applies the send buffer limit; false if the message must be dropped (the call is ending). */
  private boolean awaitSendRoom() {
    SendBuffer.Room room = writer.awaitRoom(() -> state.isCancelled());
    switch (room) {
      case AVAILABLE:
        return true;
      case CALL_ENDED:
        return false;
      case CANNOT_BLOCK:
        outbound = Outbound.SEND_FAILED;
        failFromApplication(Status.RESOURCE_EXHAUSTED.withDescription(
            "Send buffer limit of " + writer.sendBufferLimit() + " bytes exceeded: the"
                + " handler ignores isReady() on an event-loop thread, which cannot wait"));
        return false;
      default:
        outbound = Outbound.SEND_FAILED;
        failFromApplication(Status.CANCELLED.withDescription(
            "Thread interrupted while waiting to send"));
        return false;
    }
  }

  /** Ends the call with {@code status} on behalf of the application; it hears onCancel. */
  private void failFromApplication(Status status) {
    handler.writeQueue().enqueue(() -> fail(status));
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (outbound == Outbound.CLOSED) {
      throw new IllegalStateException("call already closed");
    }
    outbound = Outbound.CLOSED;
    handler.writeQueue().enqueue(() -> {
      ServerCallState before = state;
      if (moveTo(ServerCallState.STATUS_SENT)) {
        writeStatus(before == ServerCallState.HEADERS_SENT, status, trailers);
      }
    });
  }

  @Override
  public boolean isCancelled() {
    return state.isCancelled();
  }

  /**
   * Whether a message sent now would leave at once: little (32 KiB) is on its way to the event
   * loop, and little waits beyond what the client's stream window lets out (see SendBuffer).
   */
  @Override
  public boolean isReady() {
    return !state.isCancelled() && writer.isReady();
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    writer.setMessageCompression(enabled);
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
    if (outbound == Outbound.HEADERS_SENT || outbound == Outbound.SEND_FAILED) {
      throw new IllegalStateException("setCompression must be called before sending headers");
    }
    if (CodecRegistry.IDENTITY.equals(compressor)) {
      writer.setCodec(null);
      return;
    }
    Codec codec = handler.settings().codecs().lookup(compressor);
    if (codec == null) {
      throw new IllegalArgumentException("Unable to find compressor by name " + compressor);
    }
    if (GrpcHeaders.listContains(acceptEncoding, compressor)) {
      writer.setCodec(codec);
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
    if (!moveTo(ServerCallState.HEADERS_SENT)) {
      return;
    }
    Http2Headers headers;
    if (codec == null && contentType == null && (metadata == null || metadata.isEmpty())) {
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
    if (state.isTerminated()) {
      frame.release();
      writer.dropped(bytes);
      return;
    }
    writer.write(this, frame, bytes, false);
  }

  @Override
  public ChannelPromise newPromise() {
    return handler.context().newPromise();
  }

  @Override
  public void writeData(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
    handler.encoder().writeData(handler.context(), stream.id(), data, 0, endOfStream, promise);
  }

  /** What the client's window lets this stream send now (RFC 9113 §6.9). */
  @Override
  public int sendWindow() {
    return stream.state() == Http2Stream.State.CLOSED
        ? 0 : handler.encoder().flowController().windowSize(stream);
  }

  @Override
  public void onReady() {
    if (!state.isTerminated()) {
      dispatcher.dispatch(() -> listener.onReady());
    }
  }

  /** Writes the status: as trailers, or as a Trailers-Only response if no headers went out. */
  private void writeStatus(boolean headersWritten, Status status, Metadata trailers) {
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
    writtenStatus = status;
    handler.writeFinalHeaders(stream, headers);
  }

  private Http2Headers responseHeaders() {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE,
            contentType == null ? GrpcHeaders.CONTENT_TYPE_GRPC : contentType);
    String accept = handler.settings().codecs().acceptEncoding();
    if (accept != null) {
      headers.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, accept);
    }
    return headers;
  }
}
