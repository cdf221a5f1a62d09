package dev.tern.internal;

import dev.tern.ForwardingServerCall;
import dev.tern.ForwardingServerCallListener;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches one server call for observing interceptors (logging, metrics): counts the message
 * bytes each way and reports, exactly once, how and when the call ended. (Client calls are
 * observed per attempt through {@link dev.tern.ClientStreamTracer}.) Message sizes come from
 * {@link Marshaller#serializedSize}; if a marshaller does not know a size, the byte count is
 * reported as -1. Thread-safe: counters are atomic and the end is reported once whichever thread
 * sees it first.
 */
public final class CallWatch {
  /** Hears the end of a watched call. Called once, on whichever thread ended the call. */
  @FunctionalInterface
  public interface EndListener {
    /**
     * @param status how the call ended
     * @param durationNanos from the start of the watch to the end
     * @param bytesReceived message bytes received (-1 if unknown)
     * @param bytesSent message bytes sent (-1 if unknown)
     */
    void ended(Status status, long durationNanos, long bytesReceived, long bytesSent);
  }

  private final long startNanos = System.nanoTime();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final EndListener listener;

  private CallWatch(EndListener listener) {
    this.listener = listener;
  }

  /**
   * Starts {@code next} with a watched call and returns a watched listener. An exception from the
   * handler (when no recovery interceptor is further in) is reported as the status the transport
   * sends for it (INTERNAL, or the carried status) and rethrown.
   */
  public static <ReqT, RespT> ServerCall.Listener<ReqT> watchServer(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next,
      EndListener onEnd) {
    CallWatch watch = new CallWatch(onEnd);
    Marshaller<ReqT> requests = call.getMethodDescriptor().getRequestMarshaller();
    Marshaller<RespT> responses = call.getMethodDescriptor().getResponseMarshaller();
    ServerCall<ReqT, RespT> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(RespT message) {
        watch.count(watch.sent, responses.serializedSize(message));
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        watch.end(status);
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(watched, headers);
    } catch (RuntimeException | Error e) {
      watch.end(statusOf(e));
      throw e;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        watch.count(watch.received, requests.serializedSize(message));
        try {
          super.onMessage(message);
        } catch (RuntimeException | Error e) {
          watch.end(statusOf(e));
          throw e;
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException | Error e) {
          watch.end(statusOf(e));
          throw e;
        }
      }

      @Override
      public void onReady() {
        try {
          super.onReady();
        } catch (RuntimeException | Error e) {
          watch.end(statusOf(e));
          throw e;
        }
      }

      @Override
      public void onCancel() {
        // The call's Context says why (a deadline, the client); the transport cancels it first.
        Status why = dev.tern.Contexts.statusFromCancelled(dev.tern.Context.current());
        watch.end(why != null ? why
            : Status.CANCELLED.withDescription("Call cancelled before it completed"));
        super.onCancel();
      }
    };
  }

  private void count(AtomicLong counter, int size) {
    if (size < 0) {
      counter.set(Long.MIN_VALUE); // unknown from now on: stays negative
    } else {
      counter.addAndGet(size);
    }
  }

  private void end(Status status) {
    if (ended.compareAndSet(false, true)) {
      long r = received.get();
      long s = sent.get();
      listener.ended(status, System.nanoTime() - startNanos, r < 0 ? -1 : r, s < 0 ? -1 : s);
    }
  }

  /** The status the transport sends for a handler exception. */
  public static Status statusOf(Throwable t) {
    if (t instanceof StatusRuntimeException || t instanceof StatusException) {
      return Status.fromThrowable(t);
    }
    return Status.INTERNAL.withDescription("Application error processing RPC").withCause(t);
  }
}
