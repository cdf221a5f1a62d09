package dev.tern;

import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Helpers that connect {@link Context} to calls: the status a cancelled context stands for, and
 * running a server call's handler and callbacks inside a context. Stateless and thread-safe.
 */
public final class Contexts {
  private Contexts() {}

  /**
   * The status that describes why {@code context} was cancelled, or null if it is not cancelled:
   * {@link Status#DEADLINE_EXCEEDED} for a {@link TimeoutException} cause (a passed deadline), the
   * carried status for a {@link StatusException} or {@link StatusRuntimeException} cause, and
   * {@link Status#CANCELLED} (with the cause attached, if any) otherwise.
   */
  public static Status statusFromCancelled(Context context) {
    Objects.requireNonNull(context, "context");
    if (!context.isCancelled()) {
      return null;
    }
    Throwable cause = context.cancellationCause();
    if (cause == null) {
      return Status.CANCELLED.withDescription("context cancelled without a cause");
    }
    if (cause instanceof TimeoutException) {
      String message = cause.getMessage();
      return Status.DEADLINE_EXCEEDED
          .withDescription(message != null ? message : "context deadline exceeded")
          .withCause(cause);
    }
    if (cause instanceof StatusException) {
      return ((StatusException) cause).getStatus();
    }
    if (cause instanceof StatusRuntimeException) {
      return ((StatusRuntimeException) cause).getStatus();
    }
    return Status.CANCELLED.withDescription("context cancelled").withCause(cause);
  }

  /**
   * Starts a server call through {@code next} with {@code context} attached, and returns a listener
   * that attaches {@code context} around every callback. A {@link ServerInterceptor} uses it to
   * make values it derives (an authenticated principal, a trace span) visible to the handler
   * through {@link Context#current()}:
   *
   * <pre>{@code
   * Context ctx = Context.current().withValue(USER, user);
   * return Contexts.interceptCall(ctx, call, headers, next);
   * }</pre>
   */
  public static <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      Context context,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    Objects.requireNonNull(context, "context");
    Context previous = context.attach();
    try {
      return new ContextualizedListener<>(context, next.startCall(call, headers));
    } finally {
      context.detach(previous);
    }
  }

  /**
   * Runs each callback of a listener with a fixed context attached. Callbacks for one call are
   * never concurrent (the {@link ServerCall.Listener} contract); each may come on any thread.
   */
  private static final class ContextualizedListener<ReqT> extends ServerCall.Listener<ReqT> {
    private final Context context;
    private final ServerCall.Listener<ReqT> delegate;

    ContextualizedListener(Context context, ServerCall.Listener<ReqT> delegate) {
      this.context = context;
      this.delegate = Objects.requireNonNull(delegate, "startCall returned null");
    }

    @Override
    public void onMessage(ReqT message) {
      Context previous = context.attach();
      try {
        delegate.onMessage(message);
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onHalfClose() {
      Context previous = context.attach();
      try {
        delegate.onHalfClose();
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onCancel() {
      Context previous = context.attach();
      try {
        delegate.onCancel();
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onComplete() {
      Context previous = context.attach();
      try {
        delegate.onComplete();
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onReady() {
      Context previous = context.attach();
      try {
        delegate.onReady();
      } finally {
        context.detach(previous);
      }
    }
  }
}
