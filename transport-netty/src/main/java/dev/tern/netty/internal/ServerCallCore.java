package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.Context;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;

/**
 * The server side of one call, whatever carries it: the gRPC call on an HTTP/2 stream
 * ({@link ServerCallImpl}) and the browser-facing call on a {@link WebExchange} ({@link WebCall})
 * are thin adapters over this core, which owns the call's {@link ServerCallState}, its
 * {@link Context} and deadline ({@link ServerCallContext}), how it ends, and the response path
 * ({@link MessageWriter} and its send buffer); the request path is its base,
 * {@link ServerCallInbound}. The adapters say how headers, messages and the status reach the
 * wire.
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
abstract class ServerCallCore<ReqT, RespT> extends ServerCallInbound<ReqT, RespT>
    implements MessageWriter.DataSink, CallbackDispatcher.Owning {
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

  /** The call's writer, whose batch carries its headers and end too. */
  final ResponseBatch writer;
  private final Marshaller<RespT> responseMarshaller;
  /** What {@link #closed} reports as the cause when the call ends without a known one. */
  private final String goneDescription;

  /** Written on the event loop only (moveTo); read anywhere. */
  private volatile ServerCallState state = ServerCallState.NEW;
  // Event loop: why the call ended other than by the application's close(), what the context is
  // cancelled with; and the status written to the client, what the tracers hear as the end.
  private Throwable endCause;
  private Status writtenStatus;
  // Event loop, then read by the end's callback (run): the status the call ended with, and
  // whether the listener hears of the end (not a call refused before its handler started).
  private Status endStatus;
  private boolean listenerHearsEnd;

  /** Application (callback) thread. */
  Outbound outbound = Outbound.NOTHING_SENT;

  /** The batch's command: one object per call, not one per write. */
  private final WriteQueue.Command writeBatch = new WriteQueue.Command() {
    @Override
    public void run() {
      writeBatch();
    }

    @Override
    public void discard() {
      discardBatch();
    }
  };

  /** {@code timeoutNanos} is the decoded deadline, or -1 for none. */
  ServerCallCore(Setting where, ServerMethodDefinition<ReqT, RespT> definition,
      Marshaller<ReqT> requestMarshaller, Marshaller<RespT> responseMarshaller,
      Codec inboundCodec, long timeoutNanos, ServerCallTracer tracer) {
    super(where, definition, requestMarshaller, inboundCodec,
        ServerCallContext.create(where.loop(), timeoutNanos), tracer);
    this.responseMarshaller = responseMarshaller;
    this.goneDescription = where.goneDescription();
    this.writer = new ResponseBatch(where.settings().sendBufferLimit(),
        where.settings().maxOutboundMessageSize(), where.alloc());
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
    startDelivery(headers);
  }

  /** Event loop: the call ended on the client's side with {@code cause} (a reset). */
  final void endedByClient(Throwable cause) {
    if (!state.isTerminated()) {
      endCause = cause;
    }
  }

  /** Event loop: the stream or exchange is over: the call either completed or was cut short. */
  final void closed() {
    releaseDeferredStart(); // the handler hears of the call, then of its end
    reader.close();
    writer.wake();
    ServerCallState before = state;
    endStatus = writtenStatus != null ? writtenStatus : ServerCallContext.statusOf(endCause);
    if (moveTo(ServerCallState.COMPLETE)) {
      listenerHearsEnd = true;
      // When no callback of the call is queued or running (the handler has returned), a
      // completed call ends here on the event loop: for a unary call on a pool that saves the
      // second executor hand-off and the thread wake-up it costs (issue 14). Tracers may be
      // application code, so a traced call always ends on its executor. (With callbacks inline
      // the end below already runs here, without the extra object.)
      if (tracer == ServerCallTracer.NONE && !dispatcher.isInline()
          && dispatcher.runIfIdle(new QuietEnd())) {
        return;
      }
    } else if (moveTo(ServerCallState.CANCELLED)) {
      Throwable cause = endCause != null ? endCause
          : Status.CANCELLED.withDescription(goneDescription).asRuntimeException();
      // Promptly, without waiting for the application's callbacks: downstream work stops now.
      context.cancel(cause);
      listenerHearsEnd = before != ServerCallState.REJECTED && before != ServerCallState.NEW;
    }
    // The call itself is the end's callback (run, or dropped): no task object per call.
    dispatcher.dispatch(this);
  }

  /**
   * Callback thread, dispatched once by {@link #closed}: the listener hears the end
   * (onComplete, or onCancel), then {@link #dropped} finishes the call.
   */
  @Override
  public final void run() {
    try {
      if (listenerHearsEnd) {
        if (state == ServerCallState.COMPLETE) {
          listener.onComplete();
        } else {
          listener.onCancel();
        }
      }
    } finally {
      dropped();
    }
  }

  /**
   * Callback thread: finishes the call after its end's callbacks (or instead of them, once the
   * listener was stopped, as after a handler threw): the held request is released, the context
   * of a completed call closes (after onComplete, so work the handler left running can still
   * finish), and the tracers hear the status.
   */
  @Override
  public final void dropped() {
    if (held != null) {
      held.release();
    }
    if (state == ServerCallState.COMPLETE) {
      context.close();
    }
    tracer.streamClosed(endStatus);
  }

  /**
   * A completed call's end run inline by {@link #closed} (serialized with its callbacks, see
   * {@link CallbackDispatcher#runIfIdle}): {@code onComplete} still goes to the executor if the
   * listener overrides it (the stubs' unary listeners do not); otherwise the call finishes at once.
   */
  private final class QuietEnd implements CallbackDispatcher.Owning {
    @Override
    public void run() {
      if (listener != null && ListenerOverrides.onComplete(listener)) {
        dispatcher.dispatch(ServerCallCore.this); // queued behind this one: runs on the executor
      } else {
        dropped();
      }
    }

    @Override
    public void dropped() {
      ServerCallCore.this.dropped();
    }
  }

  /**
   * Ends the call from the server's side with an error status (event loop); the handler hears
   * onCancel once the stream closes.
   */
  @Override
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

  /** A handler threw: INTERNAL for the client (no details sent), the rest of the server unharmed. */
  @Override
  public final void accept(Throwable t) {
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
      queueEnd(ResponseBatch.End.FAIL, status, null);
    }
  }

  @Override
  final void failSoon(Status status) {
    queueEnd(ResponseBatch.End.FAIL, status, null);
  }

  // ---------------------------------------------------------------- application → transport

  @Override
  public final void sendHeaders(Metadata headers) {
    switch (outbound) {
      case CLOSED -> throw new IllegalStateException("call is closed");
      case HEADERS_SENT, SEND_FAILED -> throw new IllegalStateException("headers already sent");
      default -> { }
    }
    outbound = Outbound.HEADERS_SENT;
    queueHeaders(headers, writer.codec());
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
    // The first message carries the headers: one write-queue command for both (an empty send
    // buffer has room, so nothing waits between them).
    Codec headersCodec = null;
    boolean headersFirst = outbound == Outbound.NOTHING_SENT;
    if (headersFirst) {
      outbound = Outbound.HEADERS_SENT;
      headersCodec = writer.codec();
    }
    if (!awaitSendRoom(headersFirst, headersCodec)) {
      return;
    }
    ByteBuf frame;
    try {
      frame = writer.frame(responseMarshaller, message);
    } catch (StatusRuntimeException e) {
      enqueueHeaders(headersFirst, headersCodec);
      close(e.getStatus(), new Metadata());
      return;
    }
    int bytes = frame.readableBytes();
    writer.account(bytes);
    tracer.outboundMessage(MessageWriter.wireSize(frame), writer.lastUncompressedSize());
    // Messages sent before the event loop runs the batch's command ride with it: one command
    // and one DATA write per batch (MessageWriter); the first message carries the headers.
    if (writer.addMessage(frame, bytes, headersFirst, headersCodec)) {
      writeQueue.enqueue(writeBatch);
    }
  }

  /** Queues the response headers, if {@code due}, ahead of what ends the call instead. */
  private void enqueueHeaders(boolean due, Codec codec) {
    if (due) {
      queueHeaders(null, codec);
    }
  }

  /** Adds the response headers to the batch. */
  private void queueHeaders(Metadata metadata, Codec codec) {
    if (writer.addHeaders(metadata, codec)) {
      writeQueue.enqueue(writeBatch);
    }
  }

  /** Adds the call's end to the batch (see ResponseBatch: the first end queued wins). */
  private void queueEnd(ResponseBatch.End end, Status status, Metadata trailers) {
    if (writer.addEnd(end, status, trailers)) {
      writeQueue.enqueue(writeBatch);
    }
  }

  /** Applies the send buffer limit; false if the message must be dropped (the call is ending). */
  private boolean awaitSendRoom(boolean headersDue, Codec headersCodec) {
    SendBuffer.Room room = writer.awaitRoom(() -> state.isCancelled());
    if (room == SendBuffer.Room.AVAILABLE) {
      return true;
    }
    enqueueHeaders(headersDue, headersCodec);
    switch (room) {
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
    queueEnd(ResponseBatch.End.FAIL, status, null);
  }

  @Override
  public final void close(Status status, Metadata trailers) {
    if (outbound == Outbound.CLOSED) {
      throw new IllegalStateException("call already closed");
    }
    outbound = Outbound.CLOSED;
    queueEnd(ResponseBatch.End.CLOSE, status, trailers);
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

  /** The batch's command: writes what the application queued, in order. */
  private void writeBatch() {
    ByteBuf frames = writer.take();
    if (writer.takenHeadersDue()) {
      writeHeaders(writer.takenHeaders(), writer.takenCodec());
    }
    ResponseBatch.End end = writer.takenEnd();
    if (frames != null) {
      int bytes = writer.takenBytes();
      if (state.isTerminated()) {
        writer.drop(frames, bytes);
      } else if (end == ResponseBatch.End.CLOSE) {
        writer.writeLast(this, frames, bytes); // the status follows at once
      } else {
        writer.write(this, frames, bytes, false);
      }
    }
    switch (end) {
      case CLOSE -> {
        ServerCallState before = state;
        if (moveTo(ServerCallState.STATUS_SENT)) {
          writeStatus(before == ServerCallState.HEADERS_SENT, writer.takenStatus(),
              writer.takenTrailers());
        }
      }
      case FAIL -> fail(writer.takenStatus());
      case NONE -> { }
    }
  }

  /** The event loop shut down before writing the batch: its frames are released unsent. */
  private void discardBatch() {
    ByteBuf frames = writer.take();
    if (frames != null) {
      writer.drop(frames, writer.takenBytes());
    }
  }

  @Override
  public final void onReady() {
    if (!state.isTerminated()) {
      dispatcher.dispatch(() -> listener.onReady());
    }
  }
}
