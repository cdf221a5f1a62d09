package dev.tern.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientStreamTracer;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The metrics interceptors against a channel that plays the transport by hand: it makes the
 * attempts and reports wire sizes to the attempt tracers as a compressing transport would.
 */
class MetricsInterceptorsTest {
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
          .setFullMethodName("tern.test.M/Get")
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();

  /** Records every event, in order, as text. */
  private static final class Recorder implements MetricsRecorder {
    final List<String> events = new ArrayList<>();

    @Override
    public synchronized void serverCallStarted(String method) {
      events.add("server started " + method);
    }

    @Override
    public synchronized void serverCallEnded(String method, Status.Code code,
        long durationNanos, long sentBytes, long receivedBytes) {
      events.add("server ended " + code + " sent=" + sentBytes + " rcvd=" + receivedBytes);
    }

    @Override
    public synchronized void clientAttemptStarted(String method, String target) {
      events.add("attempt started " + method + " " + target);
    }

    @Override
    public synchronized void clientAttemptEnded(String method, String target, Status.Code code,
        long durationNanos, long sentBytes, long receivedBytes) {
      events.add("attempt ended " + code + " sent=" + sentBytes + " rcvd=" + receivedBytes);
    }

    @Override
    public synchronized void clientCallEnded(String method, String target, Status.Code code,
        long durationNanos) {
      events.add("call ended " + code);
    }
  }

  /**
   * A transport with a retry engine, scripted: the call's first attempt sends the request
   * (1000 bytes, 100 on the wire) and fails UNAVAILABLE; the second sends it again and receives
   * a response (2000 bytes, 150 on the wire).
   */
  private static final class ScriptedTransport extends Channel {
    CallOptions seen;

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method,
        CallOptions callOptions) {
      seen = callOptions;
      return new ClientCall<>() {
        private Listener<RespT> listener;

        @Override
        public void start(Listener<RespT> responseListener, Metadata headers) {
          listener = responseListener;
        }

        @Override
        public void request(int numMessages) {}

        @Override
        public void cancel(String message, Throwable cause) {}

        @Override
        public void sendMessage(ReqT message) {}

        @Override
        public void halfClose() {
          for (int attempt = 0; attempt < 2; attempt++) {
            List<ClientStreamTracer> tracers = new ArrayList<>();
            for (ClientStreamTracer.Factory f : callOptions.getStreamTracerFactories()) {
              tracers.add(f.newClientStreamTracer(new ClientStreamTracer.AttemptInfo(method,
                  callOptions, authority(), attempt, false), new Metadata()));
            }
            for (ClientStreamTracer t : tracers) {
              t.outboundMessage(0, 100, 1000);
              if (attempt == 0) {
                t.streamClosed(Status.UNAVAILABLE);
              } else {
                t.inboundHeaders(new Metadata());
                t.inboundMessage(0, 150, 2000);
                t.inboundTrailers(new Metadata());
                t.streamClosed(Status.OK);
              }
            }
          }
          listener.onClose(Status.OK, new Metadata());
        }
      };
    }

    @Override
    public String authority() {
      return "shop.example:443";
    }
  }

  @Test
  void everyAttemptIsRecordedWithItsWireSizesAndTheCallOnce() {
    Recorder recorder = new Recorder();
    ScriptedTransport transport = new ScriptedTransport();
    ClientCall<String, String> call = MetricsInterceptors.client(recorder)
        .interceptCall(METHOD, CallOptions.DEFAULT, transport);
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.sendMessage("x");
    call.halfClose();

    assertEquals(1, transport.seen.getStreamTracerFactories().size());
    assertEquals(List.of(
        "attempt started tern.test.M/Get shop.example:443",
        "attempt ended UNAVAILABLE sent=100 rcvd=0",
        "attempt started tern.test.M/Get shop.example:443",
        "attempt ended OK sent=100 rcvd=150",
        "call ended OK"), recorder.events);
  }

  @Test
  void inMemoryMetricsCountAttemptsAndWireBytes() {
    InMemoryMetrics metrics = new InMemoryMetrics();
    ClientCall<String, String> call = MetricsInterceptors.client(metrics)
        .interceptCall(METHOD, CallOptions.DEFAULT, new ScriptedTransport());
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.halfClose();

    InMemoryMetrics.MethodStats stats = metrics.client(METHOD.getFullMethodName());
    assertEquals(2, stats.attempts());
    assertEquals(1, stats.ended());
    assertEquals(1, stats.count(Status.Code.OK));
    assertEquals(200, stats.sentMessageBytes());
    assertEquals(150, stats.receivedMessageBytes());
  }

  @Test
  void aSizeNotKnownMakesTheTotalUnknown() {
    Recorder recorder = new Recorder();
    ClientStreamTracer.Factory[] factory = new ClientStreamTracer.Factory[1];
    Channel capture = new Channel() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
        factory[0] = callOptions.getStreamTracerFactories().get(0);
        return new ScriptedTransport().newCall(method, callOptions);
      }

      @Override
      public String authority() {
        return "t";
      }
    };
    MetricsInterceptors.client(recorder).interceptCall(METHOD, CallOptions.DEFAULT, capture);
    ClientStreamTracer t = factory[0].newClientStreamTracer(new ClientStreamTracer.AttemptInfo(
        METHOD, CallOptions.DEFAULT, "t", 0, true), new Metadata());
    t.outboundMessage(0, 10, 10);
    t.outboundMessage(1, -1, -1);
    t.outboundMessage(2, 10, 10);
    t.streamClosed(Status.CANCELLED);
    t.streamClosed(Status.OK); // once only
    assertEquals(List.of("attempt started tern.test.M/Get t",
        "attempt ended CANCELLED sent=-1 rcvd=0"), recorder.events);
  }

  @Test
  void serverTracerRecordsTheCallWithWireSizes() {
    Recorder recorder = new Recorder();
    ServerStreamTracer.Factory factory = MetricsInterceptors.serverStreamTracerFactory(recorder);
    ServerStreamTracer t = factory.newServerStreamTracer("tern.test.M/Get", new Metadata());
    t.serverCallStarted(METHOD, dev.tern.Attributes.EMPTY);
    t.inboundMessage(0, 40, 400);
    t.inboundMessage(1, 60, 600);
    t.outboundMessage(0, 30, 300);
    t.streamClosed(Status.OK);
    t.streamClosed(Status.INTERNAL); // once only
    assertEquals(List.of("server started tern.test.M/Get",
        "server ended OK sent=30 rcvd=100"), recorder.events);

    InMemoryMetrics metrics = new InMemoryMetrics();
    ServerStreamTracer m = MetricsInterceptors.serverStreamTracerFactory(metrics)
        .newServerStreamTracer("tern.test.M/Get", new Metadata());
    m.inboundMessage(0, 40, 400);
    m.outboundMessage(0, 30, 300);
    m.streamClosed(Status.OK);
    InMemoryMetrics.MethodStats stats = metrics.server("tern.test.M/Get");
    assertEquals(1, stats.started());
    assertEquals(1, stats.count(Status.Code.OK));
    assertEquals(30, stats.sentMessageBytes());
    assertEquals(40, stats.receivedMessageBytes());
    assertSame(stats.latencyBoundsSeconds(), MetricsRecorder.LATENCY_BUCKETS_SECONDS);
  }
}
