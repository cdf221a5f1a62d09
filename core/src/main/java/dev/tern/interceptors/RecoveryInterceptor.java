package dev.tern.interceptors;

import dev.tern.ForwardingServerCall;
import dev.tern.ForwardingServerCallListener;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;

/**
 * Turns an exception thrown by a handler into a proper end of the call: a
 * {@link StatusRuntimeException} or {@link StatusException} closes the call with its status and
 * trailers; anything else closes it with INTERNAL and a generic message, the detail logged (never
 * sent). The connection and the server's other calls are unaffected, and callbacks that arrive
 * after the failure are dropped.
 *
 * <p>Who already handles what, so nothing is handled twice: handlers built with
 * {@link dev.tern.stub.ServerCalls} (generated stubs) catch their method's exceptions themselves
 * and close the call, so those never reach this interceptor. The transport catches whatever a raw
 * handler or listener throws as a last resort, but it writes the status straight to the stream,
 * so interceptors further out never see the call end. This interceptor closes through the
 * interceptor chain instead: put it innermost (after logging and metrics) so that they log and
 * count the failure. The message sent is the transport's and ServerCalls' own. Thread-safe.
 */
public final class RecoveryInterceptor implements ServerInterceptor {
  private static final System.Logger LOG = System.getLogger(RecoveryInterceptor.class.getName());
  /** The description clients see for an unexpected handler exception (as from the transport). */
  public static final String GENERIC_MESSAGE = "Application error processing RPC";

  private RecoveryInterceptor() {}

  public static RecoveryInterceptor create() {
    return new RecoveryInterceptor();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Guard<ReqT, RespT> guard = new Guard<>(call);
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(guard, headers);
    } catch (RuntimeException | Error e) {
      guard.failed(e);
      return new ServerCall.Listener<>() {};
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        if (!guard.failed) {
          try {
            super.onMessage(message);
          } catch (RuntimeException | Error e) {
            guard.failed(e);
          }
        }
      }

      @Override
      public void onHalfClose() {
        if (!guard.failed) {
          try {
            super.onHalfClose();
          } catch (RuntimeException | Error e) {
            guard.failed(e);
          }
        }
      }

      @Override
      public void onReady() {
        if (!guard.failed) {
          try {
            super.onReady();
          } catch (RuntimeException | Error e) {
            guard.failed(e);
          }
        }
      }

      @Override
      public void onCancel() {
        if (!guard.failed) {
          try {
            super.onCancel();
          } catch (RuntimeException | Error e) {
            guard.log(e);
          }
        }
      }

      @Override
      public void onComplete() {
        if (!guard.failed) {
          try {
            super.onComplete();
          } catch (RuntimeException | Error e) {
            guard.log(e);
          }
        }
      }
    };
  }

  /**
   * The call as the handler sees it; remembers whether the handler closed it. Used from the
   * call's callback thread only (handlers call a ServerCall one thread at a time).
   */
  private static final class Guard<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private volatile boolean closed;
    volatile boolean failed;

    Guard(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    @Override
    public void sendMessage(RespT message) {
      if (!failed) {
        super.sendMessage(message);
      }
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (failed) {
        return; // already closed for the failure; late work of the handler is dropped
      }
      closed = true;
      super.close(status, trailers);
    }

    void failed(Throwable t) {
      if (t instanceof VirtualMachineError) {
        throw (VirtualMachineError) t; // out of memory and the like: nothing sane to do here
      }
      failed = true;
      if (closed) {
        log(t);
        return;
      }
      Status status;
      Metadata trailers = null;
      if (t instanceof StatusRuntimeException || t instanceof StatusException) {
        status = Status.fromThrowable(t);
        trailers = Status.trailersFromThrowable(t);
      } else {
        log(t);
        status = Status.INTERNAL.withDescription(GENERIC_MESSAGE);
      }
      closed = true;
      try {
        delegate().close(status, trailers == null ? new Metadata() : trailers);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "Could not close a failed call", e);
      }
    }

    void log(Throwable t) {
      LOG.log(System.Logger.Level.WARNING, "Exception from the handler of "
          + getMethodDescriptor().getFullMethodName(), t);
    }
  }
}
