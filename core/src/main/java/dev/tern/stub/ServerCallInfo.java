package dev.tern.stub;

import dev.tern.Attributes;
import dev.tern.Context;
import dev.tern.Deadline;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;

/**
 * What a blocking handler knows about the call it serves, without the raw {@link ServerCall}:
 * request headers, method, peer attributes, deadline and cancellation, and the response headers
 * and trailers it wants to send. {@link #current()} finds it on the handler's thread.
 *
 * <pre>{@code
 * public HelloReply sayHello(HelloRequest request) throws StatusException {
 *   ServerCallInfo call = ServerCallInfo.current();
 *   String tenant = call.requestHeaders().get(TENANT);
 *   call.responseTrailers().put(SERVED_BY, "eu-1");
 *   ...
 * }
 * }</pre>
 *
 * <p>Status details: throw a {@code StatusException} built with
 * {@code Status.asException(trailers)}; its trailers are sent after those set here.
 *
 * <p>Not thread-safe: the response headers and trailers belong to the handler's thread (they are
 * read once, when the first message is sent and when the call ends); the rest is immutable or
 * thread-safe.
 */
public final class ServerCallInfo {
  static final Context.Key<ServerCallInfo> KEY = Context.key("tern-server-call-info");

  private final ServerCall<?, ?> call;
  private final Metadata requestHeaders;
  private final Context context;
  private final Metadata responseHeaders = new Metadata();
  private final Metadata responseTrailers = new Metadata();

  ServerCallInfo(ServerCall<?, ?> call, Metadata requestHeaders, Context context) {
    this.call = call;
    this.requestHeaders = requestHeaders;
    this.context = context;
  }

  /**
   * The call the current thread serves.
   *
   * @throws IllegalStateException outside a blocking handler (and threads it started with the
   *     call's {@link Context})
   */
  public static ServerCallInfo current() {
    ServerCallInfo info = KEY.get();
    if (info == null) {
      throw new IllegalStateException(
          "ServerCallInfo.current() is only available on a blocking handler's thread");
    }
    return info;
  }

  /** The headers the client sent. */
  public Metadata requestHeaders() {
    return requestHeaders;
  }

  /** The method being called. */
  public MethodDescriptor<?, ?> methodDescriptor() {
    return call.getMethodDescriptor();
  }

  /** Transport properties: peer and local address, TLS session. */
  public Attributes attributes() {
    return call.getAttributes();
  }

  /** The {@code :authority} the client sent, or null. */
  public String authority() {
    return call.getAuthority();
  }

  /** The call's deadline (from the client's {@code grpc-timeout}), or null. */
  public Deadline deadline() {
    return context.getDeadline();
  }

  /** Whether the call was cancelled (client cancel, deadline, connection loss). Thread-safe. */
  public boolean isCancelled() {
    return context.isCancelled() || call.isCancelled();
  }

  /**
   * The response headers, sent with the first response message (or with the status when there
   * is none): add to them before that.
   */
  public Metadata responseHeaders() {
    return responseHeaders;
  }

  /** The response trailers, sent with the status when the handler returns or throws. */
  public Metadata responseTrailers() {
    return responseTrailers;
  }

  Context context() {
    return context;
  }
}
