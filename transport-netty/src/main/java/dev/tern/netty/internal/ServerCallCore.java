package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.Context;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Executor;

/**
 * The server side of one call, whatever carries it: the gRPC call on an HTTP/2 stream
 * ({@link ServerCallImpl}) and the browser-facing call on a {@link WebExchange} ({@link WebCall})
 * are thin adapters over this core, which owns the call's {@link ServerCallState}, its
 * {@link Context} and deadline ({@link ServerCallContext}), its tracer, the request path
 * ({@link MessageReader}, decoding, the {@link CallbackDispatcher} hand-off to the handler, the
 * {@link HeldRequest} read-ahead) and the response path ({@link MessageWriter} and its send
 * buffer). The adapters say how headers, messages and the status reach the wire.
 *
 * <p>State: the stream's side of the call is one {@link ServerCallState}, moved only on the
 * event loop by {@link #moveTo}; what the application has sent is one {@link Outbound}, moved only
 * on the application's thread (ServerCall's methods are not called concurrently).
 *
 * <p>Thread rule: transport events arrive on the event loop and reach the application through the
 * dispatcher; the application calls in from its callback thread, and its writes reach the event
 * loop through the connection's {@link WriteQueue}. {@link #isCancelled} and {@link #isReady}
 * read the volatile {@link ServerCallState} from any thread.
 *
 * <p>Each call has its own {@link Context.CancellableContext} (a child of {@link Context#ROOT}),
 * attached around {@code startCall} and every listener callback. It carries the deadline the
 * client sent, is cancelled when the deadline passes, the client goes away or the connection
 * drops, and is closed when the call completes, so a handler can poll
 * {@link Context#isCancelled()}, listen for it, or hand it to downstream calls.
 */
abstract class ServerCallCore<ReqT, RespT> extends ServerCall<ReqT, RespT>
    implements MessageReader.Target, MessageWriter.DataSink {
  private static final System.Logger LOG = System.getLogger(ServerCallCore.class.getName());

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

  final MethodDescriptor<ReqT, RespT> method;
  final MessageReader reader;
  final MessageWriter writer;
  final Context.CancellableContext context;
  final ServerCallContext callContext;
  private final ServerCallHandler<ReqT, RespT> callHandler;
  private final Marshaller<ReqT> requestMarshaller;
  private final Marshaller<RespT> responseMarshaller;
  private final ServerCallTracer tracer;
  private final EventExecutor loop;
  private final WriteQueue writeQueue;
  private final CallbackDispatcher dispatcher;
  /** What {@link #closed} reports as the cause when the call ends without a known one. */
  private final String goneDescription;
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
  Outbound outbound = Outbound.NOTHING_SENT;
  private Listener<ReqT> listener;
  /** A request message failed to decode: no more onMessage or onHalfClose. */
  private boolean inboundFailed;

  /** Where the call runs and what bounds it: the parts of its setting the core needs. */
  record Setting(EventExecutor loop, ByteBufAllocator alloc, ServerSettings settings,
      Executor callbackExecutor, WriteQueue writeQueue, String goneDescription) {}

  /**
   * {@code timeoutNanos} is the decoded deadline, or -1 for none; {@code readAhead} holds a
   * one-message request until it is in (see HeldRequest) when callbacks run on a pool.
   */
  ServerCallCore(Setting where, ServerMethodDefinition<ReqT, RespT> definition,
      Marshaller<ReqT> requestMarshaller, Marshaller<RespT> responseMarshaller,
      Codec inboundCodec, long timeoutNanos, ServerCallTracer tracer, boolean readAhead) {
    this.method = definition.getMethodDescriptor();
    this.callHandler = definition.getServerCallHandler();
    this.requestMarshaller = requestMarshaller;
    this.responseMarshaller = responseMarshaller;
    this.tracer = tracer;
    this.loop = where.loop();
    this.writeQueue = where.writeQueue();
    this.goneDescription = where.goneDescription();
    ServerSettings settings = where.settings();
    this.reader = new MessageReader(this, where.alloc(), settings.maxInboundMessageSize(),
        inboundCodec, "request");
    this.writer = new MessageWriter(settings.sendBufferLimit(),
        settings.maxOutboundMessageSize(), where.alloc());
    this.callContext = ServerCallContext.create(loop, timeoutNanos);
    this.context = callContext.context();
    this.dispatcher = new CallbackDispatcher(where.callbackExecutor(), context,
        this::applicationFailed);
    this.held = readAhead && !dispatcher.isInline() && method.getType().clientSendsOneMessage()
        ? new HeldRequest() : null;
  }

  // ---------------------------------------------------------------- what the adapters write

  /** Event loop: writes the response headers, with the application's metadata (or null). */
  abstract void writeResponseHeaders(Metadata metadata, Codec codec);

  /**
   * Event loop: writes the status (as trailers, or a trailers-only response if no headers went
   * out); returns whether it went out (false: the stream had already closed).
   */
  abstract boolean writeResponseStatus(boolean headersWritten, Status status, Metadata trailers);

  /**
   * Event loop: the server cut the call short (deadline): writes the status if the stream can
   * still carry it and stops the request side; returns whether the status went out.
   */
  abstract boolean writeCutShort(boolean headersWritten, Status status);

  /** Runs {@code task} on the event loop, from the context's cancellation. */
  abstract void runOnEventLoop(Runnable task);

  // ---------------------------------------------------------------- the state machine

  /**
   * Moves the stream's state to {@code next} if {@link ServerCallState}'s table allows it from
   * the current state; returns whether it did. Event loop only.
   */
  final boolean moveTo(ServerCallState next) {
    if (!state.canMoveTo(next)) {
      return false;
    }
    state = next;
    return true;
  }

  final ServerCallState state() {
    return state;
  }

  // ---------------------------------------------------------------- event loop → application

  /** Event loop: the request's headers are in; the handler starts (or the call is refused). */
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
          runOnEventLoop(
              () -> endLocally(ServerCallState.CUT_SHORT, callContext.cancelledStatus()));
        }
      }, Runnable::run);
    }
    moveTo(ServerCallState.STARTED);
    startHeaders = headers;
    if (held != null) {
      // Read the one-message request ahead; the call starts when it is in (or the client ends
      // the stream, or the stream ends otherwise: closed).
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
      tracer.serverCallStarted(method, getAttributes());
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

  @Override
  public final void messageRead(ByteBuf message, boolean compressed, int wireSize) {
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
      request = requestMarshaller.parse(bytes);
    } catch (StatusRuntimeException e) {
      inboundFailed = true;
      // The handler hears onCancel once the status is out and the stream closes.
      writeQueue.enqueue(() -> fail(e.getStatus()));
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
  public final void endOfStream() {
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
  public final void readFailed(Status status) {
    fail(status);
  }

  /** Event loop: the call ended on the client's side with {@code cause} (a reset). */
  final void endedByClient(Throwable cause) {
    if (!state.isTerminated()) {
      endCause = cause;
    }
  }

  /** Event loop: the stream or exchange is over: the call either completed or was cut short. */
  final void closed() {
    if (startDeferred) {
      dispatchStart(); // the handler hears of the call, then of its end
    }
    reader.close();
    writer.wake();
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
          : Status.CANCELLED.withDescription(goneDescription).asRuntimeException();
      // Promptly, without waiting for the application's callbacks: downstream work stops now.
      context.cancel(cause);
      if (before != ServerCallState.REJECTED && before != ServerCallState.NEW) {
        dispatcher.dispatch(() -> listener.onCancel());
      }
    }
    afterCallbacks(() -> tracer.streamClosed(finalStatus));
  }

  /**
   * Ends the call from the server's side with an error status (event loop); the handler hears
   * onCancel once the stream closes.
   */
  final void fail(Status status) {
    reader.close();
    boolean headersWritten = state == ServerCallState.HEADERS_SENT;
    if (moveTo(ServerCallState.FAILED)) {
      endCause = status.asRuntimeException();
      writeStatus(headersWritten, status, new Metadata());
    }
  }

  /**
   * Ends the call on the server's initiative (event loop), moving to {@code cut} (CUT_SHORT, or
   * REJECTED before the handler started). The stream's closing then cancels the handler.
   */
  private void endLocally(ServerCallState cut, Status status) {
    boolean headersWritten = state == ServerCallState.HEADERS_SENT;
    if (!moveTo(cut)) {
      return;
    }
    writer.wake();
    reader.close();
    endCause = status.asRuntimeException();
    if (writeCutShort(headersWritten, status)) {
      writtenStatus = status;
    }
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
      writeQueue.enqueue(() -> fail(status));
    }
  }

  // ---------------------------------------------------------------- application → transport

  @Override
  public final void request(int numMessages) {
    if (held != null) {
      if (numMessages <= 0) {
        return;
      }
      // Served from the request read ahead: no trip to the event loop. Called from a callback
      // (startCall), the delivery joins the running task.
      int more = held.credit(numMessages);
      dispatcher.dispatch(this::deliverHeld);
      if (more > 0) {
        writeQueue.enqueue(() -> reader.request(more));
      }
      return;
    }
    if (loop.inEventLoop()) {
      reader.request(numMessages);
    } else {
      // Through the write queue: a handler's request, response and close (what a unary call
      // does from startCall on) then cost one event-loop task and one flush, not two.
      writeQueue.enqueue(() -> reader.request(numMessages));
    }
  }

  @Override
  public final void sendHeaders(Metadata headers) {
    switch (outbound) {
      case CLOSED -> throw new IllegalStateException("call is closed");
      case HEADERS_SENT, SEND_FAILED -> throw new IllegalStateException("headers already sent");
      default -> { }
    }
    outbound = Outbound.HEADERS_SENT;
    Codec codec = writer.codec();
    writeQueue.enqueue(() -> writeHeaders(headers, codec));
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
  public final void sendMessage(RespT message) {
    if (outbound == Outbound.CLOSED) {
      throw new IllegalStateException("call is closed");
    }
    if (outbound == Outbound.SEND_FAILED || state.isCancelled()) {
      return;
    }
    if (outbound == Outbound.NOTHING_SENT) {
      outbound = Outbound.HEADERS_SENT;
      Codec codec = writer.codec();
      writeQueue.enqueue(() -> writeHeaders(null, codec));
    }
    if (!awaitSendRoom()) {
      return;
    }
    ByteBuf frame;
    try {
      frame = writer.frame(responseMarshaller, message);
    } catch (StatusRuntimeException e) {
      close(e.getStatus(), new Metadata());
      return;
    }
    int bytes = frame.readableBytes();
    writer.account(bytes);
    tracer.outboundMessage(MessageWriter.wireSize(frame), writer.lastUncompressedSize());
    writeQueue.enqueue(() -> writeMessage(frame, bytes));
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
    writeQueue.enqueue(() -> fail(status));
  }

  @Override
  public final void close(Status status, Metadata trailers) {
    if (outbound == Outbound.CLOSED) {
      throw new IllegalStateException("call already closed");
    }
    outbound = Outbound.CLOSED;
    writeQueue.enqueue(() -> {
      ServerCallState before = state;
      if (moveTo(ServerCallState.STATUS_SENT)) {
        writeStatus(before == ServerCallState.HEADERS_SENT, status, trailers);
      }
    });
  }

  @Override
  public final boolean isCancelled() {
    return state.isCancelled();
  }

  /**
   * Whether a message sent now would leave at once: little (32 KiB) is on its way to the event
   * loop, and little waits beyond what the client's window lets out (see SendBuffer).
   */
  @Override
  public final boolean isReady() {
    return !state.isCancelled() && writer.isReady();
  }

  @Override
  public final void setMessageCompression(boolean enabled) {
    writer.setMessageCompression(enabled);
  }

  @Override
  public final MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return method;
  }

  // ---------------------------------------------------------------- event-loop writes

  private void writeHeaders(Metadata metadata, Codec codec) {
    if (moveTo(ServerCallState.HEADERS_SENT)) {
      writeResponseHeaders(metadata, codec);
    }
  }

  private void writeStatus(boolean headersWritten, Status status, Metadata trailers) {
    if (writeResponseStatus(headersWritten, status, trailers)) {
      writtenStatus = status;
    }
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
  public final void onReady() {
    if (!state.isTerminated()) {
      dispatcher.dispatch(() -> listener.onReady());
    }
  }
}
