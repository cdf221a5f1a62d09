package dev.tern.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientStreamTracer;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attempt spans against a channel that plays the transport by hand: a transparent retry, then a
 * retry that succeeds, each message reported with its compressed and uncompressed size.
 */
class AttemptSpansTest {
  private static final Marshaller<String> STRING = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  private static final MethodDescriptor<String, String> METHOD =
      MethodDescriptor.newBuilder(STRING, STRING)
          .setFullMethodName("tern.test.A/Get")
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();
  private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.ascii("traceparent");

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder()
          .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();
  /** The headers each attempt was sent with, in order. */
  private final List<Metadata> attemptHeaders = new ArrayList<>();

  @AfterEach
  void close() {
    otel.close();
  }

  /** Attempt 0 is refused before the server saw it (transparent retry), 1 fails, 2 succeeds. */
  private final Channel transport = new Channel() {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method,
        CallOptions callOptions) {
      return new ClientCall<>() {
        private Listener<RespT> listener;
        private Metadata headers;

        @Override
        public void start(Listener<RespT> responseListener, Metadata headers) {
          this.listener = responseListener;
          this.headers = headers;
        }

        @Override
        public void request(int numMessages) {}

        @Override
        public void cancel(String message, Throwable cause) {}

        @Override
        public void sendMessage(ReqT message) {}

        @Override
        public void halfClose() {
          int[] previous = {0, 0, 1};
          boolean[] transparent = {false, true, false};
          for (int i = 0; i < 3; i++) {
            Metadata h = new Metadata();
            h.merge(headers);
            ClientStreamTracer t = callOptions.getStreamTracerFactories().get(0)
                .newClientStreamTracer(new ClientStreamTracer.AttemptInfo(method, callOptions,
                    authority(), previous[i], transparent[i]), h);
            attemptHeaders.add(h);
            if (i == 0) {
              t.streamClosed(Status.UNAVAILABLE.withDescription("refused"));
              continue;
            }
            t.outboundMessage(0, 100, 1000);
            if (i == 1) {
              t.streamClosed(Status.UNAVAILABLE.withDescription("try again"));
            } else {
              t.inboundMessage(0, 150, 2000);
              t.streamClosed(Status.OK);
            }
          }
          listener.onClose(Status.OK, new Metadata());
        }
      };
    }

    @Override
    public String authority() {
      return "a.example";
    }
  };

  @Test
  void oneSpanPerAttemptUnderTheCallSpanWithSizesAndItsOwnTraceContext() {
    ClientCall<String, String> call = OpenTelemetryTracing.create(otel).clientInterceptor()
        .interceptCall(METHOD, CallOptions.DEFAULT, transport);
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.sendMessage("x");
    call.halfClose();

    List<SpanData> all = spans.getFinishedSpanItems();
    SpanData callSpan = all.stream().filter(s -> s.getName().equals("tern.test.A/Get"))
        .findFirst().orElseThrow();
    List<SpanData> attempts = all.stream()
        .filter(s -> s.getName().equals("Attempt.tern.test.A/Get"))
        .collect(Collectors.toList());
    assertEquals(3, attempts.size(), all::toString);
    assertEquals(4, all.size());
    for (int i = 0; i < 3; i++) {
      SpanData a = attempts.get(i);
      assertEquals(SpanKind.CLIENT, a.getKind());
      assertEquals(callSpan.getSpanId(), a.getParentSpanId());
      // Each attempt carries its own span as the parent of what the server does.
      String traceparent = attemptHeaders.get(i).get(TRACEPARENT);
      assertTrue(traceparent.startsWith("00-" + a.getTraceId() + "-" + a.getSpanId() + "-"),
          traceparent);
    }
    assertEquals(List.of(0L, 0L, 1L), attempts.stream()
        .map(a -> a.getAttributes().get(OpenTelemetryTracing.PREVIOUS_RPC_ATTEMPTS))
        .collect(Collectors.toList()));
    assertEquals(List.of(false, true, false), attempts.stream()
        .map(a -> a.getAttributes().get(OpenTelemetryTracing.TRANSPARENT_RETRY))
        .collect(Collectors.toList()));
    assertEquals(StatusCode.ERROR, attempts.get(1).getStatus().getStatusCode());
    assertEquals("UNAVAILABLE: try again", attempts.get(1).getStatus().getDescription());
    assertEquals(14L, attempts.get(1).getAttributes().get(OpenTelemetryTracing.RPC_STATUS));
    assertEquals(StatusCode.UNSET, attempts.get(2).getStatus().getStatusCode());
    assertEquals(StatusCode.UNSET, callSpan.getStatus().getStatusCode());

    assertTrue(attempts.get(0).getEvents().isEmpty());
    List<EventData> events = attempts.get(2).getEvents();
    assertEquals(List.of(OpenTelemetryTracing.OUTBOUND_EVENT, OpenTelemetryTracing.INBOUND_EVENT),
        events.stream().map(EventData::getName).collect(Collectors.toList()));
    EventData in = events.get(1);
    assertEquals("RECEIVED", in.getAttributes().get(OpenTelemetryTracing.MESSAGE_TYPE));
    assertEquals(0L, in.getAttributes().get(OpenTelemetryTracing.MESSAGE_ID));
    assertEquals(150L, in.getAttributes().get(OpenTelemetryTracing.MESSAGE_SIZE_COMPRESSED));
    assertEquals(2000L, in.getAttributes().get(OpenTelemetryTracing.MESSAGE_SIZE_UNCOMPRESSED));
    EventData out = events.get(0);
    assertEquals("SENT", out.getAttributes().get(OpenTelemetryTracing.MESSAGE_TYPE));
    assertEquals(100L, out.getAttributes().get(OpenTelemetryTracing.MESSAGE_SIZE_COMPRESSED));
  }
}
