package dev.tern.opentelemetry;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.ForwardingServerCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Distributed tracing for Tern calls through the OpenTelemetry API: a span per call on each side,
 * linked across the wire by the configured propagators (W3C {@code traceparent} and
 * {@code tracestate} with the usual SDK setup).
 *
 * <ul>
 *   <li>The {@linkplain #clientInterceptor client interceptor} starts a CLIENT span, child of the
 *       OpenTelemetry context current when the call is created, and injects it into the request
 *       headers. Retries happen beneath it (install it on the channel), so a call is one span.
 *   <li>The {@linkplain #serverInterceptor server interceptor} extracts the caller's context from
 *       the headers, starts a SERVER span under it and makes it current around the handler and
 *       each of its callbacks, so {@code Span.current()} works in handlers.
 * </ul>
 *
 * <p>Spans are named {@code package.Service/Method} and carry the semantic-convention attributes
 * {@code rpc.system=grpc}, {@code rpc.service}, {@code rpc.method} and
 * {@code rpc.grpc.status_code}. The gRPC status sets the span status as the RPC conventions ask:
 * on the client every non-OK code is an ERROR; on the server only the codes that mean the server
 * failed are (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS), the
 * others being the caller's problem. The description of an error status becomes the span
 * status description. Thread-safe.
 */
public final class OpenTelemetryTracing {
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

  private static final TextMapSetter<Metadata> SETTER = (carrier, key, value) -> {
    if (carrier != null && !key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
      try {
        Metadata.Key<String> k = Metadata.Key.ascii(key);
        carrier.removeAll(k);
        carrier.put(k, value);
      } catch (IllegalArgumentException e) {
        // A propagator field that cannot be a gRPC header: skip it.
      }
    }
  };

  private static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
    // Deprecated in the API but still what propagators that enumerate headers call.
    @SuppressWarnings("deprecation")
    @Override
    public Iterable<String> keys(Metadata carrier) {
      return carrier.keys();
    }

    @Override
    public String get(Metadata carrier, String key) {
      if (carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        return null;
      }
      try {
        return carrier.get(Metadata.Key.ascii(key));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private OpenTelemetryTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(OpenTelemetryMetrics.SCOPE);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  /** Tracing with {@code openTelemetry}'s tracer provider and text-map propagator. */
  public static OpenTelemetryTracing create(OpenTelemetry openTelemetry) {
    return new OpenTelemetryTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /** Starts a SERVER span per call, under the context the client propagated. */
  public ServerInterceptor serverInterceptor() {
    return new ServerInterceptor() {
      @Override
      @SuppressWarnings("try") // Each Scope is unused: held only to make the context current.
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        Context parent = propagator.extract(Context.current(), headers, GETTER);
        Span span = startSpan(method, SpanKind.SERVER, parent);
        Context context = parent.with(span);
        SpanEnd end = new SpanEnd(span, true);
        ServerCall<ReqT, RespT> traced = new ForwardingServerCall.SimpleForwardingServerCall<>(
            call) {
          @Override
          public void close(Status status, Metadata trailers) {
            end.end(status);
            super.close(status, trailers);
          }
        };
        ServerCall.Listener<ReqT> delegate;
        try (Scope ignored = context.makeCurrent()) {
          delegate = next.startCall(traced, headers);
        } catch (RuntimeException | Error e) {
          end.end(Status.INTERNAL.withDescription(e.toString()));
          throw e;
        }
        return new TracedListener<>(delegate, context, end);
      }
    };
  }

  /** Starts a CLIENT span per call and propagates it in the request headers. */
  public ClientInterceptor clientInterceptor() {
    return new ClientInterceptor() {
      @Override
      @SuppressWarnings("try") // Each Scope is unused: held only to make the context current.
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        Context parent = Context.current();
        Span span = startSpan(method, SpanKind.CLIENT, parent);
        Context context = parent.with(span);
        SpanEnd end = new SpanEnd(span, false);
        ClientCall<ReqT, RespT> call;
        try (Scope ignored = context.makeCurrent()) {
          call = next.newCall(method, callOptions);
        } catch (RuntimeException | Error e) {
          end.end(Status.INTERNAL.withDescription(e.toString()));
          throw e;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
          @Override
          public void start(Listener<RespT> responseListener, Metadata headers) {
            propagator.inject(context, headers, SETTER);
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                responseListener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                end.end(status);
                super.onClose(status, trailers);
              }
            }, headers);
          }
        };
      }
    };
  }

  private Span startSpan(MethodDescriptor<?, ?> method, SpanKind kind, Context parent) {
    return tracer.spanBuilder(method.getFullMethodName())
        .setSpanKind(kind)
        .setParent(parent)
        .setAttribute(RPC_SYSTEM, "grpc")
        .setAttribute(RPC_SERVICE, method.getServiceName())
        .setAttribute(RPC_METHOD, method.getBareMethodName())
        .startSpan();
  }

  /** Ends a span once with a call's status. Thread-safe. */
  private static final class SpanEnd {
    private final Span span;
    private final boolean server;
    private final AtomicBoolean ended = new AtomicBoolean();

    SpanEnd(Span span, boolean server) {
      this.span = span;
      this.server = server;
    }

    void end(Status status) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      span.setAttribute(RPC_STATUS, (long) status.getCode().value());
      if (isError(status.getCode(), server)) {
        String d = status.getDescription();
        span.setStatus(StatusCode.ERROR, d != null ? status.getCode() + ": " + d
            : status.getCode().name());
      }
      span.end();
    }

    static boolean isError(Status.Code code, boolean server) {
      if (!server) {
        return code != Status.Code.OK;
      }
      switch (code) {
        case UNKNOWN:
        case DEADLINE_EXCEEDED:
        case UNIMPLEMENTED:
        case INTERNAL:
        case UNAVAILABLE:
        case DATA_LOSS:
          return true;
        default:
          return false;
      }
    }
  }

  /** Makes the span's context current around every callback; ends the span on cancel. */
  @SuppressWarnings("try") // Each Scope is unused: held only to make the context current.
  private static final class TracedListener<ReqT> extends ServerCall.Listener<ReqT> {
    private final ServerCall.Listener<ReqT> delegate;
    private final Context context;
    private final SpanEnd end;

    TracedListener(ServerCall.Listener<ReqT> delegate, Context context, SpanEnd end) {
      this.delegate = delegate;
      this.context = context;
      this.end = end;
    }

    @Override
    public void onMessage(ReqT message) {
      try (Scope ignored = context.makeCurrent()) {
        delegate.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      try (Scope ignored = context.makeCurrent()) {
        delegate.onHalfClose();
      } catch (RuntimeException | Error e) {
        // Without a recovery interceptor further in, the transport answers INTERNAL.
        end.end(Status.INTERNAL.withDescription(e.toString()));
        throw e;
      }
    }

    @Override
    public void onCancel() {
      end.end(Status.CANCELLED.withDescription("call cancelled"));
      try (Scope ignored = context.makeCurrent()) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      try (Scope ignored = context.makeCurrent()) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      try (Scope ignored = context.makeCurrent()) {
        delegate.onReady();
      }
    }
  }
}
