package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.ClientStreamTracer;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stand-in that drives attempt tracers from outside a transport call. */
class AttemptTracingTest {
  private static final Marshaller<String> STRING = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public int serializedSize(String value) {
      return value.length();
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  private static final MethodDescriptor<String, String> METHOD =
      MethodDescriptor.newBuilder(STRING, STRING)
          .setFullMethodName("tern.test.T/Get")
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();

  /** A call that keeps its listener so the test can play the server. */
  private static final class Call extends ClientCall<String, String> {
    Listener<String> listener;
    Metadata headers;

    @Override
    public void start(Listener<String> responseListener, Metadata headers) {
      this.listener = responseListener;
      this.headers = headers;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(String message) {}
  }

  @Test
  void withoutFactoriesTheCallIsReturnedAsIs() {
    Call call = new Call();
    assertSame(call, AttemptTracing.trace(call, METHOD, CallOptions.DEFAULT, "a"));
  }

  @Test
  void reportsTheAttemptNumberEventsInOrderAndTheCloseOnce() {
    List<String> events = new ArrayList<>();
    ClientStreamTracer.Factory factory = (info, headers) -> {
      events.add("new previous=" + info.previousAttempts() + " transparent="
          + info.transparentRetry() + " authority=" + info.authority());
      headers.put(Metadata.Key.ascii("x-attempt"), "traced");
      return new ClientStreamTracer() {
        @Override
        public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
          events.add("out " + seqNo + " " + wireSize + "/" + uncompressedSize);
        }

        @Override
        public void inboundHeaders(Metadata headers) {
          events.add("headers");
        }

        @Override
        public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
          events.add("in " + seqNo + " " + wireSize + "/" + uncompressedSize);
        }

        @Override
        public void inboundTrailers(Metadata trailers) {
          events.add("trailers");
        }

        @Override
        public void streamClosed(Status status) {
          events.add("closed " + status.getCode());
        }
      };
    };
    Call call = new Call();
    ClientCall<String, String> traced = AttemptTracing.trace(call, METHOD,
        CallOptions.DEFAULT.withStreamTracerFactory(factory), "a.example");
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.ascii("grpc-previous-rpc-attempts"), "2");
    traced.start(new ClientCall.Listener<>() {}, headers);
    traced.sendMessage("abc");
    traced.sendMessage("de");
    call.listener.onHeaders(new Metadata());
    call.listener.onMessage("hello");
    call.listener.onClose(Status.OK, new Metadata());
    call.listener.onClose(Status.CANCELLED, new Metadata());

    assertEquals("traced", call.headers.get(Metadata.Key.ascii("x-attempt")));
    assertEquals(List.of("new previous=2 transparent=false authority=a.example",
        "out 0 3/3", "out 1 2/2", "headers", "in 0 5/5", "trailers", "closed OK"), events);
  }
}
