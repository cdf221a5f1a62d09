package dev.tern.netty.internal;

import dev.tern.netty.WebMessageFormat;
import dev.tern.Attributes;
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
import io.netty.channel.ChannelPromise;

/**
 * The server side of one gRPC-Web or Connect call on a {@link WebExchange} (an HTTP/1.1 request
 * or an HTTP/2 stream): the same call core as {@link ServerCallImpl} ({@link MessageReader} in,
 * {@link MessageWriter} out, {@link CallbackDispatcher} to the handler, {@link ServerCallContext}
 * for the deadline, {@link ServerCallTracer}), and the same intercepted
 * {@link ServerCallHandler}, with the wire format left to a {@link WebProtocol}.
 *
 * <p>Thread rule: as {@link ServerCallImpl}: transport events on the event loop, reaching the
 * application through the dispatcher; the application's calls reach the event loop through the
 * call's {@link WriteQueue}. {@link #isCancelled} and {@link #isReady} read the volatile state from
 * any thread.
 */
final class WebCall<ReqT, RespT> extends ServerCall<ReqT, RespT>
    implements WebExchange.Stream, MessageReader.Target, MessageWriter.DataSink {
  private static final System.Logger LOG = System.getLogger(WebCall.class.getName());

  private final WebExchange exchange;
  private final WebProtocol protocol;
  private final MethodDescriptor<ReqT, RespT> method;
  private final ServerCallHandler<ReqT, RespT> callHandler;
  private final Marshaller<ReqT> requestMarshaller;
  private final Marshaller<RespT> responseMarshaller;
  private final ServerCallContext callContext;
  private final Context.CancellableContext context;
  private final ServerCallTracer tracer;
  private final MessageReader reader;
  private final MessageWriter writer;
  private final CallbackDispatcher dispatcher;
  private final WriteQueue writeQueue;

  /** Written on the event loop only (moveTo); read anywhere. */
  private volatile ServerCallState state = ServerCallState.NEW;
  // Event loop.
  private Throwable endCause;
  private Status writtenStatus;
  /** Request bytes received and not yet given back to the exchange's receive window. */
  private long owed;

  // Application (callback) thread.
  private ServerCallImpl.Outbound outbound = ServerCallImpl.Outbound.NOTHING_SENT;
  private Listener<ReqT> listener;
  private boolean inboundFailed;

  @SuppressWarnings("unchecked")
  WebCall(WebExchange exchange, WebProtocol protocol, ServerMethodDefinition<ReqT, RespT> def,
      WebMessageFormat format, ServerSettings settings, Codec inboundCodec, Codec outboundCodec,
      long timeoutNanos, ServerCallTracer tracer) {
    this.exchange = exchange;
    this.protocol = protocol;
    this.method = def.getMethodDescriptor();
    this.callHandler = def.getServerCallHandler();
    this.requestMarshaller = format == null ? method.getRequestMarshaller()
        : format.marshaller(method.getRequestMarshaller());
    this.responseMarshaller = format == null ? method.getResponseMarshaller()
        : format.marshaller(method.getResponseMarshaller());
    this.tracer = tracer;
    this.reader = new MessageReader(this, exchange.context().alloc(),
        settings.maxInboundMessageSize(), inboundCodec, "request");
    this.writer = new MessageWriter(settings.sendBufferLimit(),
        settings.maxOutboundMessageSize(), exchange.context().alloc());
    writer.setCodec(outboundCodec);
    this.callContext = ServerCallContext.create(exchange.context().executor(), timeoutNanos);
    this.context = callContext.context();
    this.dispatcher = new CallbackDispatcher(settings.executor(), context, this::applicationFailed);
    this.writeQueue = new WriteQueue(exchange.context().channel());
  }

  private boolean moveTo(ServerCallState next) {
    if (!state.canMoveTo(next)) {
      return false;
    }
    state = next;
    return true;
  }

  // ---------------------------------------------------------------- event loop → application

  void start(Metadata headers) {
    exchange.stream(this);
    if (context.isCancelled()) {
      endLocally(ServerCallState.REJECTED, callContext.cancelledStatus());
      return;
    }
    if (callContext.hasDeadline()) {
      context.addListener(c -> {
        if (!state.isClosed()) {
          exchange.context().executor().execute(
              () -> endLocally(ServerCallState.CUT_SHORT, callContext.cancelledStatus()));
        }
      }, Runnable::run);
    }
    moveTo(ServerCallState.STARTED);
    dispatcher.dispatch(() -> {
      tracer.serverCallStarted(method, exchange.attributes());
      listener = callHandler.startCall(this, headers);
      if (listener == null) {
        throw new NullPointerException("startCall returned a null listener for " + method);
      }
      listener.onReady();
    });
  }

  @Override
  public void bodyRead(ByteBuf data) {
    int raw = data.readableBytes();
    owed += raw;
    if (state.isTerminated()) {
      data.release();
      giveBack(raw);
      return;
    }
    ByteBuf framed;
    try {
      framed = protocol.requestBytes(data);
    } catch (StatusRuntimeException e) {
      giveBack(raw);
      fail(e.getStatus());
      return;
    }
    // Bytes the protocol decoded away (base64) or holds (a unary body, bounded by it) are not
    // the reader's to return.
    giveBack(raw - framed.readableBytes());
    reader.deframe(framed);
  }

  @Override
  public void bodyEnded() {
    if (state.isTerminated()) {
      return;
    }
    try {
      reader.deframe(protocol.requestEnded());
    } catch (StatusRuntimeException e) {
      fail(e.getStatus());
      return;
    }
    reader.endOfStream();
  }

  /** MessageReader.Target: window credit for bytes the reader consumed. */
  @Override
  public void returnBytes(int bytes) {
    giveBack(bytes);
  }

  private void giveBack(int bytes) {
    int n = (int) Math.min(bytes, owed);
    if (n > 0) {
      owed -= n;
      exchange.returnBytes(n);
    }
  }

  @Override
  public void messageRead(ByteBuf message, boolean compressed, int wireSize) {
    dispatcher.dispatch(new CallbackDispatcher.Owning() {
      @Override
      public void run() {
        ReqT request;
        ByteBuf bytes = message;
        try {
          if (inboundFailed) {
            return;
          }
          bytes = null;
          bytes = reader.decode(message, compressed);
          tracer.inboundMessage(wireSize, bytes.readableBytes());
          request = requestMarshaller.parse(bytes);
        } catch (StatusRuntimeException e) {
          inboundFailed = true;
          writeQueue.enqueue(() -> fail(e.getStatus()));
          return;
        } finally {
          if (bytes != null) {
            bytes.release();
          }
        }
        listener.onMessage(request);
      }

      @Override
      public void dropped() {
        message.release();
      }
    });
  }

  @Override
  public void endOfStream() {
    dispatcher.dispatch(() -> {
      if (!inboundFailed) {
        listener.onHalfClose();
      }
    });
  }

  @Override
  public void readFailed(Status status) {
    fail(status);
  }

  /** The exchange is over: completed after our status, or cut short (client gone). */
  @Override
  public void exchangeClosed() {
    reader.close();
    writer.wake();
    protocol.release();
    ServerCallState before = state;
    Status finalStatus = writtenStatus != null ? writtenStatus
        : ServerCallContext.statusOf(endCause);
    if (moveTo(ServerCallState.COMPLETE)) {
      dispatcher.dispatch(() -> listener.onComplete());
      afterCallbacks(context::close);
    } else if (moveTo(ServerCallState.CANCELLED)) {
      Throwable cause = endCause != null ? endCause
          : Status.CANCELLED.withDescription("The client went away before the call completed")
              .asRuntimeException();
      context.cancel(cause);
      if (before != ServerCallState.REJECTED && before != ServerCallState.NEW) {
        dispatcher.dispatch(() -> listener.onCancel());
      }
    }
    afterCallbacks(() -> tracer.streamClosed(finalStatus));
  }

  private void fail(Status status) {
    reader.close();
    boolean headersWritten = state == ServerCallState.HEADERS_SENT;
    if (moveTo(ServerCallState.FAILED)) {
      endCause = status.asRuntimeException();
      writeStatus(headersWritten, status, new Metadata());
    }
  }

  /** Deadline (or context cancelled): the status goes out, the handler hears onCancel. */
  private void endLocally(ServerCallState cut, Status status) {
    boolean headersWritten = state == ServerCallState.HEADERS_SENT;
    if (!moveTo(cut)) {
      return;
    }
    writer.wake();
    reader.close();
    endCause = status.asRuntimeException();
    writeStatus(headersWritten, status, new Metadata());
  }

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
    if (outbound != ServerCallImpl.Outbound.CLOSED) {
      outbound = ServerCallImpl.Outbound.CLOSED;
      writeQueue.enqueue(() -> fail(status));
    }
  }

  // ---------------------------------------------------------------- application → transport

  @Override
  public void request(int numMessages) {
    if (exchange.context().executor().inEventLoop()) {
      reader.request(numMessages);
    } else {
      writeQueue.enqueue(() -> reader.request(numMessages));
    }
  }

  @Override
  public void sendHeaders(Metadata headers) {
    switch (outbound) {
      case CLOSED -> throw new IllegalStateException("call is closed");
      case HEADERS_SENT, SEND_FAILED -> throw new IllegalStateException("headers already sent");
      default -> { }
    }
    outbound = ServerCallImpl.Outbound.HEADERS_SENT;
    writeQueue.enqueue(() -> writeHeaders(headers));
  }

  /** As {@link ServerCallImpl#sendMessage}: bounded by the send buffer limit. */
  @Override
  public void sendMessage(RespT message) {
    if (outbound == ServerCallImpl.Outbound.CLOSED) {
      throw new IllegalStateException("call is closed");
    }
    if (outbound == ServerCallImpl.Outbound.SEND_FAILED || state.isCancelled()) {
      return;
    }
    if (outbound == ServerCallImpl.Outbound.NOTHING_SENT) {
      outbound = ServerCallImpl.Outbound.HEADERS_SENT;
      writeQueue.enqueue(() -> writeHeaders(null));
    }
    SendBuffer.Room room = writer.awaitRoom(() -> state.isCancelled());
    if (room != SendBuffer.Room.AVAILABLE) {
      if (room != SendBuffer.Room.CALL_ENDED) {
        outbound = ServerCallImpl.Outbound.SEND_FAILED;
        Status status = room == SendBuffer.Room.CANNOT_BLOCK
            ? Status.RESOURCE_EXHAUSTED.withDescription("Send buffer limit of "
                + writer.sendBufferLimit() + " bytes exceeded on an event-loop thread")
            : Status.CANCELLED.withDescription("Thread interrupted while waiting to send");
        writeQueue.enqueue(() -> fail(status));
      }
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
    writeQueue.enqueue(() -> {
      if (state.isTerminated()) {
        frame.release();
        writer.dropped(bytes);
      } else {
        writer.write(this, frame, bytes, false);
      }
    });
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (outbound == ServerCallImpl.Outbound.CLOSED) {
      throw new IllegalStateException("call already closed");
    }
    outbound = ServerCallImpl.Outbound.CLOSED;
    writeQueue.enqueue(() -> {
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

  @Override
  public boolean isReady() {
    return !state.isCancelled() && writer.isReady();
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    writer.setMessageCompression(enabled);
  }

  @Override
  public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return method;
  }

  @Override
  public Attributes getAttributes() {
    return exchange.attributes();
  }

  @Override
  public String getAuthority() {
    CharSequence authority = exchange.requestHeaders().authority();
    return authority == null ? null : authority.toString();
  }

  // ---------------------------------------------------------------- event-loop writes

  private void writeHeaders(Metadata metadata) {
    if (moveTo(ServerCallState.HEADERS_SENT)) {
      protocol.writeHeaders(exchange, metadata);
    }
  }

  private void writeStatus(boolean headersWritten, Status status, Metadata trailers) {
    writtenStatus = status;
    protocol.writeStatus(exchange, headersWritten, status, trailers);
  }

  @Override
  public ChannelPromise newPromise() {
    return exchange.context().newPromise();
  }

  @Override
  public void writeData(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
    protocol.writeMessage(exchange, data, promise);
  }

  @Override
  public int sendWindow() {
    return exchange.sendWindow();
  }

  @Override
  public void onReady() {
    if (!state.isTerminated()) {
      dispatcher.dispatch(() -> listener.onReady());
    }
  }
}
