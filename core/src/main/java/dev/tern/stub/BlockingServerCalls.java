package dev.tern.stub;

import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.Status;
import dev.tern.StatusException;
import java.util.Objects;

/**
 * Server-side adapters for blocking service methods: plain code that returns its response,
 * reads requests from a {@link MessageSource} and writes responses to a {@link MessageSink}.
 * Generated {@code BlockingService} interfaces bind their methods through these.
 *
 * <p>Threads: each call's method runs on a task of its own, started on the server's executor
 * ({@code TernServer.Builder.executor}; one virtual thread per call with
 * {@code useVirtualThreads()}), or on a shared pool of daemon threads when the server runs
 * callbacks on the event loop ({@code directExecutor}), so that the event loop never blocks and
 * the call's events keep arriving while the method waits. The method runs with the call's
 * {@code Context} attached (its deadline and cancellation reach downstream calls) and
 * {@link ServerCallInfo#current()} set.
 *
 * <p>Flow control: {@link MessageSource#next} asks for one request at a time, when it is
 * called; {@link MessageSink#send} waits while the call is not ready. Nothing is buffered beyond
 * one message and the transport's small per-call window.
 *
 * <p>Errors: a {@link StatusException} or {@code StatusRuntimeException} thrown by the method
 * gives the status and trailers; any other exception becomes INTERNAL "Application error
 * processing RPC" (its message is not sent, and it is logged). A unary-response method that
 * returns null fails with INTERNAL.
 *
 * <p>Thread-safe: a handler serves every call of its method from any thread.
 */
public final class BlockingServerCalls {
  private BlockingServerCalls() {}

  /** A blocking unary method: returns the response. */
  @FunctionalInterface
  public interface UnaryMethod<ReqT, RespT> {
    /** Serves one call. */
    RespT invoke(ReqT request) throws StatusException;
  }

  /** A blocking server-streaming method: sends any number of responses, then returns. */
  @FunctionalInterface
  public interface ServerStreamingMethod<ReqT, RespT> {
    /** Serves one call; the call ends with OK when this returns. */
    void invoke(ReqT request, MessageSink<RespT> responses) throws StatusException;
  }

  /** A blocking client-streaming method: reads the requests, returns the response. */
  @FunctionalInterface
  public interface ClientStreamingMethod<ReqT, RespT> {
    /** Serves one call. */
    RespT invoke(MessageSource<ReqT> requests) throws StatusException;
  }

  /** A blocking bidi-streaming method: reads requests and sends responses, then returns. */
  @FunctionalInterface
  public interface BidiStreamingMethod<ReqT, RespT> {
    /** Serves one call; the call ends with OK when this returns. */
    void invoke(MessageSource<ReqT> requests, MessageSink<RespT> responses)
        throws StatusException;
  }

  /** A handler for a blocking unary method; the method runs once the client half-closes. */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> unaryCall(
      UnaryMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new Handler<>(true, (request, requests, responses) -> method.invoke(request));
  }

  /** A handler for a blocking server-streaming method; it runs once the client half-closes. */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> serverStreamingCall(
      ServerStreamingMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new Handler<>(true, (request, requests, responses) -> {
      method.invoke(request, responses);
      return null;
    });
  }

  /** A handler for a blocking client-streaming method; it runs as soon as the call starts. */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> clientStreamingCall(
      ClientStreamingMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new Handler<>(false, (request, requests, responses) -> method.invoke(requests));
  }

  /** A handler for a blocking bidi-streaming method; it runs as soon as the call starts. */
  public static <ReqT, RespT> ServerCallHandler<ReqT, RespT> bidiStreamingCall(
      BidiStreamingMethod<ReqT, RespT> method) {
    Objects.requireNonNull(method, "method");
    return new Handler<>(false, (request, requests, responses) -> {
      method.invoke(requests, responses);
      return null;
    });
  }

  /**
   * UNIMPLEMENTED "Method not found: {@code <full method name>}", for a blocking method that is
   * not served; what generated {@code BlockingService} methods throw by default.
   */
  public static StatusException unimplemented(MethodDescriptor<?, ?> method) {
    return Status.UNIMPLEMENTED
        .withDescription("Method not found: " + method.getFullMethodName())
        .asException();
  }

  /** The body of every blocking method: unary-request ones get {@code request}. */
  @FunctionalInterface
  interface Body<ReqT, RespT> {
    /** Returns the response of a unary-response method, null for a streaming one. */
    RespT run(ReqT request, MessageSource<ReqT> requests, MessageSink<RespT> responses)
        throws StatusException;
  }

  /** Starts a {@link BlockingServerCall} per call. Immutable. */
  private static final class Handler<ReqT, RespT> implements ServerCallHandler<ReqT, RespT> {
    private final boolean unaryRequest;
    private final Body<ReqT, RespT> body;

    Handler(boolean unaryRequest, Body<ReqT, RespT> body) {
      this.unaryRequest = unaryRequest;
      this.body = body;
    }

    @Override
    public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers) {
      MethodDescriptor<ReqT, RespT> descriptor = call.getMethodDescriptor();
      if (unaryRequest != descriptor.getType().clientSendsOneMessage()) {
        throw new IllegalArgumentException("blocking " + (unaryRequest ? "unary" : "streaming")
            + "-request handler bound to " + descriptor.getType() + " method " + descriptor);
      }
      return BlockingServerCall.start(call, headers, unaryRequest, body);
    }
  }
}
