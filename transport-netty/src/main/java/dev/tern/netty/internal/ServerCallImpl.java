package dev.tern.netty.internal;

import dev.tern.Attributes;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import dev.tern.internal.MessageDeframer;
import dev.tern.internal.MessageFramer;
import dev.tern.internal.SerializingExecutor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server side of one call on one HTTP/2 stream.
 *
 * <p>Thread-safe in the {@link ServerCall} sense: the application calls it from its callback
 * thread; transport events arrive on the event loop and reach the application through the
 * call's serializing executor. Fields are grouped by the thread that owns them.
 */
final class ServerCallImpl<ReqT, RespT> extends ServerCall<ReqT, RespT>
    implements MessageDeframer.Sink {
  private static final System.Logger LOG = System.getLogger(ServerCallImpl.class.getName());

  /** Bytes queued for sending above which the call reports not ready (as grpc-java does). */
  static final int ON_READY_THRESHOLD = 32 * 1024;

  private final ServerHandler handler;
  private final Http2Stream stream;
  private final MethodDescriptor<ReqT, RespT> method;
  private final ServerCallHandler<ReqT, RespT> callHandler;
  private final Executor callbackExecutor;
  private final String authority;
  private final AtomicInteger queuedBytes = new AtomicInteger();
  private volatile boolean cancelled;

  // Event-loop state.
  private final MessageDeframer deframer;
  private boolean headersWritten;
  private boolean terminated;
  private boolean closedByApplication;

  // Application (callback) thread state.
  private Listener<ReqT> listener;
  private boolean applicationHeadersSent;
  private boolean closeCalled;
  private boolean callbacksStopped;

  private ServerCallImpl(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<ReqT, RespT> definition, CharSequence authority) {
    this.handler = handler;
    this.stream = stream;
    this.method = definition.getMethodDescriptor();
    this.callHandler = definition.getServerCallHandler();
    Executor executor = handler.callbackExecutor();
    this.callbackExecutor = executor == null ? null : new SerializingExecutor(executor);
    this.authority = authority == null ? null : authority.toString();
    this.deframer = new MessageDeframer(this, handler.context().alloc(),
        handler.settings().maxInboundMessageSize);
  }

  static ServerCallImpl<?, ?> create(ServerHandler handler, Http2Stream stream,
      ServerMethodDefinition<?, ?> definition, Http2Headers headers) {
    return new ServerCallImpl<>(handler, stream, definition, headers.authority());
  }

  // ---------------------------------------------------------------- event loop → application

  void start(Metadata headers) {
    runCallback(() -> {
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
    handler.returnBytes(stream, frameBytes);
    if (compressed) {
      message.release();
      abort(Status.INTERNAL.withDescription(
          "Compressed message received but the request has no grpc-encoding"));
      return;
    }
    runCallback(new Runnable() {
      @Override
      public void run() {
        ReqT request;
        try {
          if (callbacksStopped) {
            return;
          }
          request = method.getRequestMarshaller().parse(message);
        } finally {
          message.release();
        }
        listener.onMessage(request);
      }
    });
  }

  @Override
  public void endOfStream() {
    runCallback(() -> listener.onHalfClose());
  }

  @Override
  public void deframeFailed(Status status) {
    abort(status);
  }

  /** The HTTP/2 stream closed: the call either completed or was cut short. */
  void streamClosed() {
    deframer.close();
    terminated = true;
    if (closedByApplication) {
      runCallback(() -> listener.onComplete());
    } else {
      cancelled = true;
      runCallback(() -> listener.onCancel());
    }
  }

  /** Ends the call from the transport side: the status goes to the client, the handler is cancelled. */
  private void abort(Status status) {
    deframer.close();
    if (terminated) {
      return;
    }
    terminated = true;
    writeStatus(status, new Metadata());
  }

  private void runCallback(Runnable task) {
    Runnable guarded = () -> {
      if (callbacksStopped) {
        return;
      }
      try {
        task.run();
      } catch (Throwable t) {
        applicationFailed(t);
      }
    };
    if (callbackExecutor == null) {
      guarded.run();
    } else {
      callbackExecutor.execute(guarded);
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
          writeStatus(status, new Metadata());
        }
      });
    }
  }

  // ---------------------------------------------------------------- application → transport

  @Override
  public void request(int numMessages) {
    handler.runOnEventLoop(() -> deframer.request(numMessages));
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
    handler.writeQueue().enqueue(() -> writeHeaders(headers));
  }

  @Override
  public void sendMessage(RespT message) {
    if (closeCalled) {
      throw new IllegalStateException("call is closed");
    }
    if (cancelled) {
      return;
    }
    applicationHeadersSent = true;
    ByteBuf frame;
    try {
      frame = MessageFramer.frame(method.getResponseMarshaller(), message,
          handler.context().alloc(), handler.settings().maxOutboundMessageSize);
    } catch (StatusRuntimeException e) {
      close(e.getStatus(), new Metadata());
      return;
    }
    int bytes = frame.readableBytes();
    queuedBytes.addAndGet(bytes);
    handler.writeQueue().enqueue(() -> writeMessage(frame, bytes));
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

  @Override
  public boolean isReady() {
    return !cancelled && queuedBytes.get() < ON_READY_THRESHOLD;
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

  private void writeHeaders(Metadata metadata) {
    if (terminated || headersWritten) {
      return;
    }
    headersWritten = true;
    Http2Headers headers = responseHeaders();
    if (metadata != null) {
      GrpcHeaders.addMetadata(metadata, headers);
    }
    ChannelHandlerContext ctx = handler.context();
    handler.encoder().writeHeaders(ctx, stream.id(), headers, 0, false, ctx.newPromise());
  }

  private void writeMessage(ByteBuf frame, int bytes) {
    if (terminated) {
      frame.release();
      onSent(bytes);
      return;
    }
    writeHeaders(null);
    ChannelHandlerContext ctx = handler.context();
    ChannelPromise promise = ctx.newPromise();
    promise.addListener(f -> onSent(bytes));
    handler.encoder().writeData(ctx, stream.id(), frame, 0, false, promise);
  }

  private void onSent(int bytes) {
    int after = queuedBytes.addAndGet(-bytes);
    if (after < ON_READY_THRESHOLD && after + bytes >= ON_READY_THRESHOLD && !cancelled) {
      runCallback(() -> listener.onReady());
    }
  }

  /** Writes the status: as trailers, or as a Trailers-Only response if no headers went out. */
  private void writeStatus(Status status, Metadata trailers) {
    if (stream.state() == Http2Stream.State.CLOSED) {
      return;
    }
    Http2Headers headers = headersWritten ? new DefaultHttp2Headers(false) : responseHeaders();
    headersWritten = true;
    GrpcHeaders.addStatus(status, headers);
    if (trailers != null) {
      GrpcHeaders.addMetadata(trailers, headers);
    }
    handler.writeFinalHeaders(stream, headers);
  }

  private static Http2Headers responseHeaders() {
    return new DefaultHttp2Headers(false)
        .status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC);
  }
}
