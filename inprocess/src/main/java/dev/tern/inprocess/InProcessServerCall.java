package dev.tern.inprocess;

import dev.tern.Attributes;
import dev.tern.Context;
import dev.tern.Deadline;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerMethodDefinition;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import dev.tern.internal.SerializingExecutor;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The server side of one in-process call: runs the handler and its listener on the server's
 * executor with the call's {@link Context} attached, and turns {@link ServerCall}'s methods into
 * events on the shared {@link InProcessStream}.
 *
 * <p>The context is a child of {@link Context#ROOT}, as over HTTP/2: it carries the client's
 * deadline, is cancelled when the deadline passes or the client cancels, and is closed when the
 * call completes.
 *
 * <p>Threading: {@link ServerCall}'s methods come from one handler thread at a time
 * ({@link #isCancelled} and {@link #isReady} from any); the {@link InProcessStream.ServerSide}
 * events run on the call's serializing executor, except {@link #cancelContext}, which runs on
 * the cancelling thread.
 */
final class InProcessServerCall<ReqT, RespT> extends ServerCall<ReqT, RespT>
    implements InProcessStream.ServerSide {
  private static final System.Logger LOG = System.getLogger(InProcessServerCall.class.getName());

  /** What the handler has sent, in the order it may happen. Handler thread only. */
  private enum Outbound {
    NOTHING_SENT,
    HEADERS_SENT,
    /** close() was called. */
    CLOSED,
    /** The handler threw: the call was closed for it and its listener hears nothing more. */
    FAILED
  }

  private final InProcessServer server;
  private final InProcessStream stream;
  private final ServerMethodDefinition<ReqT, RespT> definition;
  private final Metadata headers;
  private final String authority;
  private final int clientMaxInbound;
  private final boolean serializeResponses;
  private final ServerConfig config;
  private final SerializingExecutor callbacks;
  private final Context.CancellableContext context;
  private final List<ServerStreamTracer> tracers;

  // Handler (callback) thread.
  private Outbound outbound = Outbound.NOTHING_SENT;
  private Listener<ReqT> listener;
  private int sentMessages;
  private int receivedMessages;

  @SuppressWarnings("this-escape")
  InProcessServerCall(InProcessServer server, InProcessStream stream,
      ServerMethodDefinition<ReqT, RespT> definition, Marshaller<?> clientResponseMarshaller,
      Metadata headers, Deadline deadline, String authority, int clientMaxInbound,
      boolean serializeAsked, ServerConfig config, List<ServerStreamTracer> tracers) {
    this.server = server;
    this.stream = stream;
    this.definition = definition;
    this.headers = headers;
    this.authority = authority;
    this.clientMaxInbound = clientMaxInbound;
    this.serializeResponses = Messages.mustSerialize(
        definition.getMethodDescriptor().getResponseMarshaller(), clientResponseMarshaller,
        serializeAsked);
    this.config = config;
    this.tracers = tracers;
    this.callbacks = new SerializingExecutor(config.executor() == null
        ? CallbackExecutor.direct() : CallbackExecutor.on(config.executor()));
    this.context = newContext(deadline);
    if (deadline != null) {
      context.addListener(c -> {
        if (c.cancellationCause() instanceof TimeoutException) {
          Status status = Status.DEADLINE_EXCEEDED.withDescription("Deadline exceeded");
          stream.cancel(status, status);
        }
      }, Runnable::run);
    }
  }

  private static Context.CancellableContext newContext(Deadline deadline) {
    if (deadline == null) {
      return Context.ROOT.withCancellation();
    }
    try {
      return Context.ROOT.withDeadline(deadline, SharedExecutors.timer());
    } catch (RejectedExecutionException e) {
      Context.CancellableContext c = Context.ROOT.withCancellation();
      c.cancel(Status.UNAVAILABLE.withDescription("Cannot enforce the deadline").withCause(e)
          .asRuntimeException());
      return c;
    }
  }

  Marshaller<ReqT> requestMarshaller() {
    return definition.getMethodDescriptor().getRequestMarshaller();
  }

  int maxInboundMessageSize() {
    return config.maxInboundMessageSize();
  }

  int bufferLimit() {
    return config.bufferLimit();
  }

  SerializingExecutor callbacks() {
    return callbacks;
  }

  /** Starts the handler. Runs first on the call's executor. */
  void start() {
    Context previous = context.attach();
    try {
      for (ServerStreamTracer t : tracers) {
        t.serverCallStarted(definition.getMethodDescriptor(), Attributes.EMPTY);
      }
      listener = Objects.requireNonNull(
          definition.getServerCallHandler().startCall(this, headers), "startCall returned null");
    } catch (Throwable t) {
      failed(t);
    } finally {
      context.detach(previous);
    }
  }

  /** The server is shut down now: the client sees UNAVAILABLE, the handler a cancellation. */
  void shutdownNow() {
    stream.cancel(Status.UNAVAILABLE.withDescription("Server shut down now"),
        Status.CANCELLED.withDescription("Server shut down now"));
  }

  /** The call never started (the client's side ended first). */
  void abandon() {
    context.close();
    server.callEnded(this);
  }

  // ---------------------------------------------------------------- ServerCall

  @Override
  public void request(int numMessages) {
    stream.serverRequest(numMessages);
  }

  @Override
  public void sendHeaders(Metadata responseHeaders) {
    Objects.requireNonNull(responseHeaders, "headers");
    switch (outbound) {
      case NOTHING_SENT -> outbound = Outbound.HEADERS_SENT;
      case HEADERS_SENT -> throw new IllegalStateException("Headers already sent");
      case CLOSED -> throw new IllegalStateException("Call is closed");
      case FAILED -> {
        return;
      }
    }
    stream.serverSendHeaders(InProcessClientCall.copy(responseHeaders));
  }

  @Override
  public void sendMessage(RespT message) {
    if (outbound == Outbound.CLOSED) {
      throw new IllegalStateException("Call is closed");
    }
    if (outbound == Outbound.FAILED) {
      return;
    }
    if (outbound == Outbound.NOTHING_SENT) {
      sendHeaders(new Metadata());
    }
    if (!stream.state().serverLive()) {
      return; // cancelled: the message goes nowhere, as over HTTP/2
    }
    Marshaller<RespT> marshaller = definition.getMethodDescriptor().getResponseMarshaller();
    Object item;
    try {
      item = Messages.prepare(marshaller, message, serializeResponses);
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    long size = Messages.size(marshaller, item);
    if (size > config.maxOutboundMessageSize() || size > clientMaxInbound) {
      InProcessStream.release(item);
      boolean ours = size > config.maxOutboundMessageSize();
      Status status = Status.RESOURCE_EXHAUSTED.withDescription(String.format(
          "Response message of %d bytes is larger than the %s limit of %d bytes", size,
          ours ? "server's outbound" : "client's inbound",
          ours ? config.maxOutboundMessageSize() : clientMaxInbound));
      stream.cancel(status, status);
      return;
    }
    InProcessStream.SendResult result;
    try {
      result = stream.serverSend(item);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Status status = Status.CANCELLED.withDescription("Interrupted while waiting to send");
      stream.cancel(status, status);
      return;
    }
    if (result == InProcessStream.SendResult.OVERRUN) {
      Status status = Status.RESOURCE_EXHAUSTED.withDescription(
          InProcessChannel.overrunMessage(config.bufferLimit()));
      stream.cancel(status, status);
    } else if (result == InProcessStream.SendResult.QUEUED) {
      int seq = sentMessages++;
      for (ServerStreamTracer t : tracers) {
        t.outboundMessage(seq, size, size);
      }
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(trailers, "trailers");
    if (outbound == Outbound.CLOSED) {
      throw new IllegalStateException("Call already closed");
    }
    if (outbound == Outbound.FAILED) {
      return;
    }
    outbound = Outbound.CLOSED;
    end(status, trailers);
  }

  /** Hands the status to the client: never its cause, which stays on the server as on a wire. */
  private void end(Status status, Metadata trailers) {
    Status sent = Status.fromCode(status.getCode()).withDescription(status.getDescription());
    if (stream.serverClose(sent, InProcessClientCall.copy(trailers))) {
      finish(status);
    }
  }

  @Override
  public boolean isCancelled() {
    return stream.state() == CallState.CANCELLED;
  }

  @Override
  public boolean isReady() {
    return stream.serverReady();
  }

  @Override
  public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return definition.getMethodDescriptor();
  }

  @Override
  public String getAuthority() {
    return authority;
  }

  // ---------------------------------------------------------------- stream events

  @Override
  public void message(Object item) {
    try {
      if (!stream.state().serverLive() || listener == null || outbound == Outbound.FAILED) {
        InProcessStream.release(item);
        return;
      }
      long size = Messages.size(requestMarshaller(), item);
      ReqT request;
      try {
        request = Messages.open(requestMarshaller(), item);
      } catch (RuntimeException e) {
        outbound = Outbound.FAILED;
        end(Status.INTERNAL.withDescription("Failed to parse the request: " + e), new Metadata());
        return;
      }
      int seq = receivedMessages++;
      for (ServerStreamTracer t : tracers) {
        t.inboundMessage(seq, size, size);
      }
      callback(l -> l.onMessage(request));
    } finally {
      stream.deliveredToServer();
    }
  }

  @Override
  public void halfClosed() {
    callback(Listener::onHalfClose);
  }

  @Override
  public void cancelled(Status status) {
    try {
      callback(Listener::onCancel);
    } finally {
      finish(status);
    }
  }

  @Override
  public void cancelContext(Status status) {
    Throwable cause = status.getCode() == Status.Code.DEADLINE_EXCEEDED
        ? new TimeoutException(status.getDescription())
        : status.asRuntimeException();
    context.cancel(cause);
  }

  @Override
  public void completed() {
    callback(Listener::onComplete);
  }

  @Override
  public void ready() {
    callback(Listener::onReady);
  }

  // ---------------------------------------------------------------- helpers

  private void callback(Consumer<Listener<ReqT>> event) {
    if (listener == null || outbound == Outbound.FAILED) {
      return;
    }
    Context previous = context.attach();
    try {
      event.accept(listener);
    } catch (Throwable t) {
      failed(t);
    } finally {
      context.detach(previous);
    }
  }

  /** The handler threw: the client hears INTERNAL (no details), the rest of the server is fine. */
  private void failed(Throwable t) {
    Status status;
    Metadata trailers = null;
    if (t instanceof StatusRuntimeException || t instanceof StatusException) {
      status = Status.fromThrowable(t);
      trailers = Status.trailersFromThrowable(t);
    } else {
      LOG.log(System.Logger.Level.WARNING,
          "Exception from the handler of " + definition.getMethodDescriptor().getFullMethodName(),
          t);
      status = Status.INTERNAL.withDescription("Application error processing RPC");
    }
    Outbound before = outbound;
    outbound = Outbound.FAILED;
    if (before != Outbound.CLOSED && before != Outbound.FAILED) {
      end(status, trailers != null ? trailers : new Metadata());
    }
  }

  /** The call ended for the server: once, by its close or by a cancellation. */
  private void finish(Status status) {
    context.close();
    for (ServerStreamTracer t : tracers) {
      t.streamClosed(status);
    }
    server.callEnded(this);
  }
}
