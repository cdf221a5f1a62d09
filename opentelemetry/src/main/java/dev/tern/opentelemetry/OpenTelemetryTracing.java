package dev.tern.opentelemetry;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ClientStreamTracer;
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
import io.opentelemetry.api.common.AttributesBuilder;
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
 * Distributed tracing for Tern calls through the OpenTelemetry API, in the shape of gRFC A72: on
 * the client a span per call and a child span per attempt, on the server a span per call, linked
 * across the wire by the configured propagators (W3C {@code traceparent} and {@code tracestate}
 * with the usual SDK setup).
 *
 * <ul>
 *   <li>The {@linkplain #clientInterceptor client interceptor} starts a CLIENT span for the call,
 *       child of the OpenTelemetry context current when the call is created, named
 *       {@code package.Service/Method}. Through a {@link ClientStreamTracer} it starts a CLIENT
 *       span per attempt under it (the first, each retry or hedge, each transparent retry), named
 *       {@code Attempt.package.Service/Method}, with the attributes
 *       {@code previous-rpc-attempts} and {@code transparent-retry}, an event per message
 *       ({@code Outbound message}, {@code Inbound message}, with {@code message.message.id} and
 *       the compressed and uncompressed sizes), ended with the attempt's own status. Each
 *       attempt's headers carry its own span's context, so the server's span is a child of the
 *       attempt that reached it. Install it on the channel: retries happen beneath it.
 *   <li>The {@linkplain #serverInterceptor server interceptor} extracts the caller's context from
 *       the headers, starts a SERVER span under it and makes it current around the handler and
 *       each of its callbacks, so {@code Span.current()} works in handlers.
 * </ul>
 *
 * <p>Spans carry the semantic-convention attributes {@code rpc.system=grpc},
 * {@code rpc.service}, {@code rpc.method} and {@code rpc.grpc.status_code}. The gRPC status
 * sets the span status as the RPC conventions ask: on the client every non-OK code is an ERROR;
 * on the server only the codes that mean the server failed are (UNKNOWN, DEADLINE_EXCEEDED,
 * UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS), the others being the caller's problem. The
 * description of an error status becomes the span status description. Thread-safe.
 */
public final class OpenTelemetryTracing {
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
  /** gRFC A72: on an attempt span, the attempts of the call that came before it. */
  static final AttributeKey<Long> PREVIOUS_RPC_ATTEMPTS =
      AttributeKey.longKey("previous-rpc-attempts");
  /** gRFC A72: on an attempt span, whether it replaces a stream the server never processed. */
  static final AttributeKey<Boolean> TRANSPARENT_RETRY =
      AttributeKey.booleanKey("transparent-retry");
  /** gRFC A72's message event attributes (the OpenCensus message event, mapped). */
  static final AttributeKey<String> MESSAGE_TYPE = AttributeKey.stringKey("message.event.type");
  static final AttributeKey<Long> MESSAGE_ID = AttributeKey.longKey("message.message.id");
  static final AttributeKey<Long> MESSAGE_SIZE_COMPRESSED =
      AttributeKey.longKey("message.event.size.compressed");
  static final AttributeKey<Long> MESSAGE_SIZE_UNCOMPRESSED =
      AttributeKey.longKey("message.event.size.uncompressed");
  /** Attempt spans are named after the method with this prefix, as gRPC's other tracers do. */
  static final String ATTEMPT_PREFIX = "Attempt.";
  static final String OUTBOUND_EVENT = "Outbound message";
  static final String INBOUND_EVENT = "Inbound message";

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
    // Deprecated in recent OpenTelemetry APIs, but still what propagators that scan keys (Jaeger
    // baggage, for one) call; removing it would hide the headers from them.
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
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        Context parent = propagator.extract(Context.current(), headers, GETTER);
        Span span = startSpan(method.getFullMethodName(), method, SpanKind.SERVER, parent);
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
        Scope scope = context.makeCurrent();
        try {
          delegate = next.startCall(traced, headers);
        } catch (RuntimeException | Error e) {
          end.end(Status.INTERNAL.withDescription(e.toString()));
          throw e;
        } finally {
          scope.close();
        }
        return new TracedListener<>(delegate, context, end);
      }
    };
  }

  /**
   * Starts a CLIENT span per call and, through an attempt tracer, a child CLIENT span per attempt
   * (gRFC A72), whose context each attempt carries in its request headers.
   */
  public ClientInterceptor clientInterceptor() {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        Context parent = Context.current();
        Span span = startSpan(method.getFullMethodName(), method, SpanKind.CLIENT, parent);
        Context context = parent.with(span);
        SpanEnd end = new SpanEnd(span, false);
        ClientCall<ReqT, RespT> call;
        Scope scope = context.makeCurrent();
        try {
          call = next.newCall(method,
              callOptions.withStreamTracerFactory(new AttemptSpans(method, context)));
        } catch (RuntimeException | Error e) {
          end.end(Status.INTERNAL.withDescription(e.toString()));
          throw e;
        } finally {
          scope.close();
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
          @Override
          public void start(Listener<RespT> responseListener, Metadata headers) {
            // The call's context, in case no attempt tracer runs (a channel that does not
            // report attempts); each attempt replaces it with its own span's context.
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

  /** Creates one attempt span per attempt of a call, under the call's span. Thread-safe. */
  private final class AttemptSpans implements ClientStreamTracer.Factory {
    private final MethodDescriptor<?, ?> method;
    private final Context callContext;

    AttemptSpans(MethodDescriptor<?, ?> method, Context callContext) {
      this.method = method;
      this.callContext = callContext;
    }

    @Override
    public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.AttemptInfo info,
        Metadata headers) {
      Span span = tracer.spanBuilder(ATTEMPT_PREFIX + method.getFullMethodName())
          .setSpanKind(SpanKind.CLIENT)
          .setParent(callContext)
          .setAttribute(RPC_SYSTEM, "grpc")
          .setAttribute(RPC_SERVICE, method.getServiceName())
          .setAttribute(RPC_METHOD, method.getBareMethodName())
          .setAttribute(PREVIOUS_RPC_ATTEMPTS, (long) info.previousAttempts())
          .setAttribute(TRANSPARENT_RETRY, info.transparentRetry())
          .startSpan();
      propagator.inject(callContext.with(span), headers, SETTER);
      return new AttemptSpan(span);
    }
  }

  /**
   * One attempt's span: a message event per message, ended with the attempt's own status.
   * Outbound and inbound events may come at once (the SDK's spans are thread-safe); the end is
   * recorded once.
   */
  private static final class AttemptSpan extends ClientStreamTracer {
    private final Span span;
    private final SpanEnd end;

    AttemptSpan(Span span) {
      this.span = span;
      this.end = new SpanEnd(span, false);
    }

    @Override
    public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      messageEvent(span, OUTBOUND_EVENT, "SENT", seqNo, wireSize, uncompressedSize);
    }

    @Override
    public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      messageEvent(span, INBOUND_EVENT, "RECEIVED", seqNo, wireSize, uncompressedSize);
    }

    @Override
    public void streamClosed(Status status) {
      end.end(status);
    }
  }

  /** A72's message event: type, sequence number and the sizes (those that are known). */
  private static void messageEvent(Span span, String name, String type, int seqNo,
      long wireSize, long uncompressedSize) {
    AttributesBuilder a = io.opentelemetry.api.common.Attributes.builder()
        .put(MESSAGE_TYPE, type)
        .put(MESSAGE_ID, (long) seqNo);
    if (wireSize >= 0) {
      a.put(MESSAGE_SIZE_COMPRESSED, wireSize);
    }
    if (uncompressedSize >= 0) {
      a.put(MESSAGE_SIZE_UNCOMPRESSED, uncompressedSize);
    }
    span.addEvent(name, a.build());
  }

  private Span startSpan(String name, MethodDescriptor<?, ?> method, SpanKind kind,
      Context parent) {
    return tracer.spanBuilder(name)
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
      Scope scope = context.makeCurrent();
      try {
        delegate.onMessage(message);
      } finally {
        scope.close();
      }
    }

    @Override
    public void onHalfClose() {
      Scope scope = context.makeCurrent();
      try {
        delegate.onHalfClose();
      } catch (RuntimeException | Error e) {
        // Without a recovery interceptor further in, the transport answers INTERNAL.
        end.end(Status.INTERNAL.withDescription(e.toString()));
        throw e;
      } finally {
        scope.close();
      }
    }

    @Override
    public void onCancel() {
      end.end(Status.CANCELLED.withDescription("call cancelled"));
      Scope scope = context.makeCurrent();
      try {
        delegate.onCancel();
      } finally {
        scope.close();
      }
    }

    @Override
    public void onComplete() {
      Scope scope = context.makeCurrent();
      try {
        delegate.onComplete();
      } finally {
        scope.close();
      }
    }

    @Override
    public void onReady() {
      Scope scope = context.makeCurrent();
      try {
        delegate.onReady();
      } finally {
        scope.close();
      }
    }
  }
}
