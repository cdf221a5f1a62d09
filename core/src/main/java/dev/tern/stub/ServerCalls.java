package dev.tern.stub;

import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import java.util.Objects;

/**
 * Server-side adapters from {@link StreamObserver}-style service methods to
 * {@link ServerCallHandler}s. Generated service bases bind their methods through these.
 *
 * <p>The response observer a method receives is a {@link ServerCallStreamObserver}. Inbound flow
 * control is automatic by default: one request message is asked for at a time, the next once the
 * request observer's {@code onNext} returned. A method may
 * {@linkplain CallStreamObserver#disableAutoRequest disable} that while it runs and call
 * {@link CallStreamObserver#request} itself.
 *
 * <p>Errors: an exception thrown by a method (or its request observer) closes the call. A
 * {@link StatusRuntimeException} or {@link StatusException} in its cause chain gives the status
 * and trailers; any other exception becomes INTERNAL "Application error processing RPC" (its
 * message is not sent to the client, and it is logged here).
 *
 * <p>Thread-safe: a handler serves every call of its method from any thread; each call's listener
 * runs on the call's executor, serially.
 */
public final class ServerCalls {
  private static final System.Logger LOG = System.getLogger(ServerCalls.class.getName());

  static final String APPLICATION_ERROR = "Application error processing RPC";

  private ServerCalls() {}

  /** A unary method: one request, one response (then {@code onCompleted}) or an error. */
  @FunctionalInterface
  public interface UnaryMethod<ReqT, RespT> {
    /** Serves one call: answers {@code request} through {@code responseObserver}. */
    void invoke(ReqT request, StreamObserver<RespT> responseObserver);
  }

  /** A server-streaming method: one request, any number of responses. */
  @FunctionalInterface
  public interface ServerStreamingMethod<ReqT, RespT> {
    /** Serves one call: answers {@code request} through {@code responseObserver}. */
    void invoke(ReqT request, StreamObserver<RespT> responseObserver);
  }

  /** A client-streaming method: returns the observer of the requests; sends one response. */
  @FunctionalInterface
  public interface ClientStreamingMethod<ReqT, RespT> {
    /** Serves one call: returns the observer of its requests, answers through the argument. */
    StreamObserver<ReqT> invoke(StreamObserver<RespT> responseObserver);
  }

  /** A bidi-streaming method: returns the observer of the requests; sends any number. */
  @FunctionalInterface
  public interface BidiStreamingMethod<ReqT, RespT> {
    /** Serves one call: returns the observer of its requests, answers through the argument. */
    StreamObserver<ReqT> invoke(StreamObserver<RespT> responseObserver);
  }

  /**
   * A handler for a unary method: asks for the one request, invokes {@code method} when the
   * client half-closes, and refuses a call with no request or more than one (INTERNAL).
   */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> asyncUnaryCall(
      UnaryMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new UnaryRequestHandler<>(method::invoke);
  }

  /**
   * A handler for a server-streaming method: asks for the one request and invokes
   * {@code method} when the client half-closes; the method sends any number of responses.
   */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> asyncServerStreamingCall(
      ServerStreamingMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new UnaryRequestHandler<>(method::invoke);
  }

  /**
   * A handler for a client-streaming method: invokes {@code method} when the call starts and
   * feeds the returned request observer; the method sends one response.
   */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> asyncClientStreamingCall(
      ClientStreamingMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new StreamingRequestHandler<>(method::invoke);
  }

  /**
   * A handler for a bidi-streaming method: invokes {@code method} when the call starts and feeds
   * the returned request observer; the method sends any number of responses.
   */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> asyncBidiStreamingCall(
      BidiStreamingMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new StreamingRequestHandler<>(method::invoke);
  }

  /**
   * Answers a unary or server-streaming call with UNIMPLEMENTED "Method not found:
   * {@code <full method name>}"; what generated service interfaces do by default.
   */
  public static void asyncUnimplementedUnaryCall(
      MethodDescriptor<?, ?> method, StreamObserver<?> responseObserver) {
    Objects.requireNonNull(responseObserver, "responseObserver");
    responseObserver.onError(unimplemented(method));
  }

  /**
   * Answers a client- or bidi-streaming call with UNIMPLEMENTED and returns an observer that
   * ignores the requests still arriving.
   */
  public static <ReqT> StreamObserver<ReqT> asyncUnimplementedStreamingCall(
      MethodDescriptor<?, ?> method, StreamObserver<?> responseObserver) {
    asyncUnimplementedUnaryCall(method, responseObserver);
    return new StreamObserver<>() {
      @Override
      public void onNext(ReqT value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static StatusRuntimeException unimplemented(MethodDescriptor<?, ?> method) {
    return Status.UNIMPLEMENTED
        .withDescription("Method not found: " + method.getFullMethodName())
        .asRuntimeException();
  }

  // ---- handlers ----

  private interface RequestResponse<ReqT, RespT> {
    void invoke(ReqT request, StreamObserver<RespT> responseObserver);
  }

  private interface StreamingRequest<ReqT, RespT> {
    StreamObserver<ReqT> invoke(StreamObserver<RespT> responseObserver);
  }

  /** Unary and server-streaming calls: invokes the method at half-close. Immutable. */
  private static final class UnaryRequestHandler<ReqT, RespT>
      implements ServerCallHandler<ReqT, RespT> {
    private final RequestResponse<ReqT, RespT> method;

    UnaryRequestHandler(RequestResponse<ReqT, RespT> method) {
      this.method = method;
    }

    @Override
    public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers) {
      MethodDescriptor<ReqT, RespT> descriptor = call.getMethodDescriptor();
      if (!descriptor.getType().clientSendsOneMessage()) {
        throw new IllegalArgumentException(
            "unary-request handler bound to " + descriptor.getType() + " method " + descriptor);
      }
      ResponseObserver<RespT> responseObserver = new ResponseObserver<>(call);
      // Ask for two: the client must send exactly one, and a second must be seen to be refused.
      call.request(2);
      return new UnaryRequestListener<>(call, method, responseObserver);
    }
  }

  /** Runs on the call's executor, serially. */
  private static final class UnaryRequestListener<ReqT, RespT> extends ServerCall.Listener<ReqT> {
    private final ServerCall<ReqT, RespT> call;
    private final RequestResponse<ReqT, RespT> method;
    private final ResponseObserver<RespT> responseObserver;
    private ReqT request;
    private boolean refused;
    private boolean wasReady;

    UnaryRequestListener(ServerCall<ReqT, RespT> call, RequestResponse<ReqT, RespT> method,
        ResponseObserver<RespT> responseObserver) {
      this.call = call;
      this.method = method;
      this.responseObserver = responseObserver;
    }

    @Override
    public void onMessage(ReqT message) {
      if (refused) {
        return;
      }
      if (request != null) {
        refused = true;
        responseObserver.closeQuietly(
            Status.INTERNAL.withDescription("Too many requests for a unary-request method"),
            new Metadata());
        return;
      }
      request = message;
    }

    @Override
    public void onHalfClose() {
      if (refused) {
        return;
      }
      if (request == null) {
        responseObserver.closeQuietly(
            Status.INTERNAL.withDescription("Half-closed without a request"), new Metadata());
        return;
      }
      ReqT r = request;
      request = null;
      try {
        method.invoke(r, responseObserver);
      } catch (RuntimeException | Error e) {
        handleException(call, responseObserver, e);
      } finally {
        responseObserver.freeze();
      }
      if (wasReady) {
        // Readiness reported before the method ran went unseen by its on-ready handler.
        onReady();
      }
    }

    @Override
    public void onCancel() {
      responseObserver.cancelled();
    }

    @Override
    public void onReady() {
      wasReady = true;
      responseObserver.ready();
    }
  }

  /** Client- and bidi-streaming calls: invokes the method at start. Immutable. */
  private static final class StreamingRequestHandler<ReqT, RespT>
      implements ServerCallHandler<ReqT, RespT> {
    private final StreamingRequest<ReqT, RespT> method;

    StreamingRequestHandler(StreamingRequest<ReqT, RespT> method) {
      this.method = method;
    }

    @Override
    public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers) {
      ResponseObserver<RespT> responseObserver = new ResponseObserver<>(call);
      StreamObserver<ReqT> requestObserver;
      try {
        requestObserver = Objects.requireNonNull(
            method.invoke(responseObserver), "service method returned a null request observer");
      } catch (RuntimeException | Error e) {
        handleException(call, responseObserver, e);
        return new ServerCall.Listener<>() {};
      } finally {
        responseObserver.freeze();
      }
      if (responseObserver.autoRequest) {
        call.request(1);
      }
      return new StreamingRequestListener<>(call, requestObserver, responseObserver);
    }
  }

  /** Runs on the call's executor, serially. */
  private static final class StreamingRequestListener<ReqT, RespT>
      extends ServerCall.Listener<ReqT> {
    private final ServerCall<ReqT, RespT> call;
    private final StreamObserver<ReqT> requestObserver;
    private final ResponseObserver<RespT> responseObserver;
    private boolean halfClosed;
    private boolean failed;

    StreamingRequestListener(ServerCall<ReqT, RespT> call, StreamObserver<ReqT> requestObserver,
        ResponseObserver<RespT> responseObserver) {
      this.call = call;
      this.requestObserver = requestObserver;
      this.responseObserver = responseObserver;
    }

    @Override
    public void onMessage(ReqT message) {
      if (failed) {
        return;
      }
      try {
        requestObserver.onNext(message);
      } catch (RuntimeException | Error e) {
        failed = true;
        handleException(call, responseObserver, e);
        return;
      }
      if (responseObserver.autoRequest && !responseObserver.isCancelled()) {
        call.request(1);
      }
    }

    @Override
    public void onHalfClose() {
      halfClosed = true;
      if (failed) {
        return;
      }
      try {
        requestObserver.onCompleted();
      } catch (RuntimeException | Error e) {
        failed = true;
        handleException(call, responseObserver, e);
      }
    }

    @Override
    public void onCancel() {
      responseObserver.cancelled();
      if (!halfClosed && !failed) {
        try {
          requestObserver.onError(
              Status.CANCELLED.withDescription("client cancelled").asRuntimeException());
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "Request observer of a cancelled "
              + call.getMethodDescriptor().getFullMethodName() + " call threw", e);
        }
      }
    }

    @Override
    public void onReady() {
      responseObserver.ready();
    }
  }

  /**
   * Closes the call for an exception thrown by application code, unless the application
   * already closed it. Errors are rethrown after closing.
   */
  private static void handleException(
      ServerCall<?, ?> call, ResponseObserver<?> responseObserver, Throwable t) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (responseObserver.isTerminated()) {
      LOG.log(System.Logger.Level.WARNING, "Exception from " + method + " after it ended", t);
    } else if (carriesStatus(t)) {
      Metadata trailers = Status.trailersFromThrowable(t);
      responseObserver.closeQuietly(
          Status.fromThrowable(t), trailers == null ? new Metadata() : trailers);
    } else {
      LOG.log(System.Logger.Level.WARNING, "Exception processing " + method, t);
      responseObserver.closeQuietly(
          Status.INTERNAL.withDescription(APPLICATION_ERROR).withCause(t), new Metadata());
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
  }

  /** Whether {@code t} or a cause is a status exception (which then gives the call's status). */
  static boolean carriesStatus(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusRuntimeException || c instanceof StatusException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The response side of a server call, given to the service method. Application-owned and not
   * thread-safe (one thread at a time), except {@link #isReady} and {@link #isCancelled}; the
   * call's executor also reads the handlers and flags, hence the volatile fields.
   */
  private static final class ResponseObserver<RespT> extends ServerCallStreamObserver<RespT> {
    private final ServerCall<?, RespT> call;
    private final boolean unaryResponse;
    private volatile boolean cancelled;
    private volatile boolean terminated;
    private volatile Runnable onReadyHandler;
    private volatile Runnable onCancelHandler;
    private volatile boolean frozen;
    volatile boolean autoRequest = true;
    private boolean headersSent;
    private boolean sentMessage;

    ResponseObserver(ServerCall<?, RespT> call) {
      this.call = call;
      this.unaryResponse = call.getMethodDescriptor().getType().serverSendsOneMessage();
    }

    void freeze() {
      frozen = true;
    }

    boolean isTerminated() {
      return terminated;
    }

    void cancelled() {
      cancelled = true;
      Runnable handler = onCancelHandler;
      if (handler != null) {
        handler.run();
      }
    }

    void ready() {
      Runnable handler = onReadyHandler;
      if (handler != null) {
        handler.run();
      }
    }

    @Override
    public void onNext(RespT value) {
      if (cancelled) {
        if (unaryResponse || onCancelHandler != null) {
          return; // nobody is listening; the application opted to handle cancellation itself
        }
        throw Status.CANCELLED
            .withDescription("call already cancelled; set an on-cancel handler to have responses"
                + " to a cancelled call discarded instead")
            .asRuntimeException();
      }
      checkNotTerminated();
      if (unaryResponse && sentMessage) {
        terminated = true;
        call.close(Status.INTERNAL.withDescription("Too many responses"), new Metadata());
        throw new IllegalStateException(
            call.getMethodDescriptor().getFullMethodName() + " sends one response; onNext was"
                + " called twice");
      }
      if (!headersSent) {
        headersSent = true;
        call.sendHeaders(new Metadata());
      }
      sentMessage = true;
      call.sendMessage(value);
    }

    @Override
    public void onError(Throwable t) {
      Metadata trailers = Status.trailersFromThrowable(t);
      close(Status.fromThrowable(t), trailers == null ? new Metadata() : trailers);
    }

    @Override
    public void onCompleted() {
      if (unaryResponse && !sentMessage && !cancelled) {
        close(Status.INTERNAL.withDescription("Completed without a response"), new Metadata());
      } else {
        close(Status.OK, new Metadata());
      }
    }

    private void close(Status status, Metadata trailers) {
      checkNotTerminated();
      terminated = true;
      if (!cancelled) { // a cancelled call has already ended on the transport
        call.close(status, trailers);
      }
    }

    /** Closes unless the application already did; for errors found by the adapters. */
    void closeQuietly(Status status, Metadata trailers) {
      if (!terminated) {
        close(status, trailers);
      }
    }

    private void checkNotTerminated() {
      if (terminated) {
        throw new IllegalStateException("Stream was already completed or failed; no more calls");
      }
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public boolean isCancelled() {
      return cancelled || call.isCancelled();
    }

    /**
     * May be set at any time; set it while the service method runs to be sure not to miss the
     * first readiness signal, or check {@link #isReady()} after setting it.
     */
    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
      this.onReadyHandler = onReadyHandler;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {
      if (frozen) {
        throw new IllegalStateException(
            "setOnCancelHandler() is only allowed while the service method runs");
      }
      this.onCancelHandler = onCancelHandler;
    }

    @Override
    public void disableAutoRequest() {
      if (frozen) {
        throw new IllegalStateException(
            "disableAutoRequest() is only allowed while the service method runs");
      }
      autoRequest = false;
    }

    @Override
    public void request(int count) {
      call.request(count);
    }

    @Override
    public void setMessageCompression(boolean enable) {
      call.setMessageCompression(enable);
    }

    @Override
    public void setCompression(String compression) {
      call.setCompression(compression);
    }
  }
}
