package dev.tern.internal;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.ClientStreamTracer;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives the {@link ClientStreamTracer}s of one attempt from the outside of a transport call that
 * does not report to them itself: a stand-in until the transport's call and retry engine calls
 * the tracers where it frames and deframes messages. What it cannot see: the wire size of a
 * compressed message (it reports the serialized size for both sizes, or -1 if the marshaller
 * cannot tell) and transparent retries inside the transport (they stay part of one attempt).
 * The attempt's number comes from the {@code grpc-previous-rpc-attempts} header the retry layer
 * puts on it (gRFC A6).
 *
 * <p>Thread rule: outbound events on the application's thread, inbound ones on the call's
 * callback thread; sequence numbers are atomic and the close is reported once.
 */
public final class AttemptTracing {
  /** gRFC A6: sent on a retry or hedge, the number of attempts that came before it. */
  private static final Metadata.Key<String> PREVIOUS_ATTEMPTS =
      Metadata.Key.ascii("grpc-previous-rpc-attempts");

  private AttemptTracing() {}

  /**
   * {@code call} with its attempt traced by the factories of {@code callOptions}, or {@code call}
   * itself if there are none.
   */
  public static <ReqT, RespT> ClientCall<ReqT, RespT> trace(ClientCall<ReqT, RespT> call,
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, String authority) {
    if (callOptions.getStreamTracerFactories().isEmpty()) {
      return call;
    }
    return new Traced<>(call, method, callOptions, authority);
  }

  static int previousAttempts(Metadata headers) {
    String v = headers.get(PREVIOUS_ATTEMPTS);
    if (v == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** One attempt's call with its tracers. */
  private static final class Traced<ReqT, RespT>
      extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
    private final MethodDescriptor<ReqT, RespT> method;
    private final CallOptions callOptions;
    private final String authority;
    private final AtomicInteger outboundSeq = new AtomicInteger();
    private final AtomicInteger inboundSeq = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Written once by start() before the call can deliver anything; read by callbacks. */
    private volatile List<ClientStreamTracer> tracers = List.of();

    Traced(ClientCall<ReqT, RespT> delegate, MethodDescriptor<ReqT, RespT> method,
        CallOptions callOptions, String authority) {
      super(delegate);
      this.method = method;
      this.callOptions = callOptions;
      this.authority = authority;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      ClientStreamTracer.AttemptInfo info = new ClientStreamTracer.AttemptInfo(method,
          callOptions, authority, previousAttempts(headers), false);
      List<ClientStreamTracer.Factory> factories = callOptions.getStreamTracerFactories();
      List<ClientStreamTracer> created = new ArrayList<>(factories.size());
      for (ClientStreamTracer.Factory f : factories) {
        created.add(f.newClientStreamTracer(info, headers));
      }
      tracers = List.copyOf(created);
      try {
        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
            responseListener) {
          @Override
          public void onHeaders(Metadata h) {
            for (ClientStreamTracer t : tracers) {
              t.inboundHeaders(h);
            }
            super.onHeaders(h);
          }

          @Override
          public void onMessage(RespT message) {
            long size = method.getResponseMarshaller().serializedSize(message);
            int seq = inboundSeq.getAndIncrement();
            for (ClientStreamTracer t : tracers) {
              t.inboundMessage(seq, size, size);
            }
            super.onMessage(message);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            closed(status, trailers);
            super.onClose(status, trailers);
          }
        }, headers);
      } catch (RuntimeException | Error e) {
        closed(Status.INTERNAL.withDescription("Attempt failed to start").withCause(e), null);
        throw e;
      }
      for (ClientStreamTracer t : tracers) {
        t.streamCreated(delegate().getAttributes());
      }
    }

    @Override
    public void sendMessage(ReqT message) {
      long size = method.getRequestMarshaller().serializedSize(message);
      int seq = outboundSeq.getAndIncrement();
      for (ClientStreamTracer t : tracers) {
        t.outboundMessage(seq, size, size);
      }
      super.sendMessage(message);
    }

    private void closed(Status status, Metadata trailers) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      for (ClientStreamTracer t : tracers) {
        if (trailers != null) {
          t.inboundTrailers(trailers);
        }
        t.streamClosed(status);
      }
    }
  }
}
