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
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The request side of a server call, the base of {@link ServerCallCore}: starting the handler
 * and handing it what the client sends — messages out of the {@link MessageReader}, decoded on the
 * callback thread, and the half-close — through the {@link CallbackDispatcher}, as far as the
 * application {@link #request}s them. A one-message request on a pool is read ahead
 * ({@link HeldRequest}) so that the call starts with it in one task.
 *
 * <p>Thread rule: the reader's events arrive on the event loop; deliveries run on the callback
 * thread; {@link #request} comes from the application's thread and reaches the reader on the
 * event loop through the connection's {@link WriteQueue}.
 */
abstract class ServerCallInbound<ReqT, RespT> extends ServerCall<ReqT, RespT>
    implements MessageReader.Target, Consumer<Throwable> {
  /**
   * Where calls run and what bounds them, shared by the calls of one connection: the event loop
   * and its allocator, the server's settings, the callbacks' executor, the connection's write
   * queue; what a call ended without a known cause reports; whether a one-message request is
   * read ahead (HeldRequest) when callbacks run on a pool.
   */
  record Setting(EventExecutor loop, ByteBufAllocator alloc, ServerSettings settings,
      Executor callbackExecutor, WriteQueue writeQueue, String goneDescription,
      boolean readAhead) {}

  final MethodDescriptor<ReqT, RespT> method;
  final ServerCallTracer tracer;
  final EventExecutor loop;
  final WriteQueue writeQueue;
  final ServerCallContext callContext;
  final Context.CancellableContext context;
  final MessageReader reader;
  final CallbackDispatcher dispatcher;
  /**
   * For a one-message request on a pool: the request read ahead, so the call starts with it in
   * one task (see HeldRequest); null otherwise.
   */
  final HeldRequest held;
  private final ServerCallHandler<ReqT, RespT> callHandler;
  private final Marshaller<ReqT> requestMarshaller;
  /** With {@link #held}: the call waits for its request before it starts. Event loop. */
  private boolean startDeferred;
  /** The request headers, until the start task takes them. Event loop. */
  private Metadata startHeaders;

  // Callback thread.
  Listener<ReqT> listener;
  /** A request message failed to decode: no more onMessage or onHalfClose. */
  private boolean inboundFailed;

  ServerCallInbound(Setting where, ServerMethodDefinition<ReqT, RespT> definition,
      Marshaller<ReqT> requestMarshaller, Codec inboundCodec, ServerCallContext callContext,
      ServerCallTracer tracer) {
    this.method = definition.getMethodDescriptor();
    this.callHandler = definition.getServerCallHandler();
    this.requestMarshaller = requestMarshaller;
    this.tracer = tracer;
    this.loop = where.loop();
    this.writeQueue = where.writeQueue();
    this.callContext = callContext;
    this.context = callContext.context();
    this.reader = new MessageReader(this, where.alloc(),
        where.settings().maxInboundMessageSize(), inboundCodec, "request");
    this.dispatcher = new CallbackDispatcher(where.callbackExecutor(), context, this);
    this.held = where.readAhead() && !dispatcher.isInline()
        && method.getType().clientSendsOneMessage() ? new HeldRequest() : null;
  }

  /** Event loop: ends the call from the server's side with an error status. */
  abstract void fail(Status status);

  /**
   * Callback thread: ends the call with {@code status} once what the application already sent
   * is written (the handler hears onCancel once the stream closes).
   */
  abstract void failSoon(Status status);

  /**
   * Callback thread: a handler threw (the dispatcher's failure handler is the call itself, so
   * that no object is made for it per call).
   */
  @Override
  public abstract void accept(Throwable t);

  /** Event loop: the call is started; the handler hears of it (with a held request: once in). */
  final void startDelivery(Metadata headers) {
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

  /** Event loop: a deferred start happens now, as the call ends before its request was in. */
  final void releaseDeferredStart() {
    if (startDeferred) {
      dispatchStart();
    }
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
      failSoon(e.getStatus());
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
  public final MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return method;
  }
}
