package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Attributes;
import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.ClientStreamTracer;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.retry.RetryPolicy;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import dev.tern.testing.RawHttp2Server;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The transport calls each attempt's ClientStreamTracers: retries, transparent retries, sizes. */
class ClientAttemptTracerTest {
  private static final MethodDescriptor<String, String> FLAKY = TestMethods.method("FlakyOnce");
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** One attempt's tracer: its info and every event, in order, as text. */
  static final class Recorded extends ClientStreamTracer {
    final AttemptInfo info;
    final List<String> events = new CopyOnWriteArrayList<>();
    final AtomicInteger closes = new AtomicInteger();

    Recorded(AttemptInfo info) {
      this.info = info;
    }

    @Override
    public void streamCreated(Attributes transportAttributes) {
      events.add("created");
    }

    @Override
    public void inboundHeaders(Metadata headers) {
      events.add("headers");
    }

    @Override
    public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      events.add("out " + seqNo + " " + (wireSize < uncompressedSize ? "compressed" : "plain")
          + " " + uncompressedSize);
    }

    @Override
    public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      events.add("in " + seqNo + " " + uncompressedSize);
    }

    @Override
    public void inboundTrailers(Metadata trailers) {
      events.add("trailers");
    }

    @Override
    public void streamClosed(Status status) {
      closes.incrementAndGet();
      events.add("closed " + status.getCode());
    }
  }

  private final List<Recorded> attempts = new CopyOnWriteArrayList<>();
  private final ClientStreamTracer.Factory factory = (info, headers) -> {
    Recorded r = new Recorded(info);
    attempts.add(r);
    return r;
  };

  @Test
  void everyRetryAttemptIsTracedWithCompressedAndUncompressedSizes() throws Exception {
    AtomicInteger served = new AtomicInteger();
    TernServer server = TernServer.builder().port(0).addService(
        ServerServiceDefinition.builder("tern.test.Echo")
            .addMethod(FLAKY, TestMethods.unary((request, headers, call) -> {
              if (served.incrementAndGet() == 1) {
                call.close(Status.UNAVAILABLE, new Metadata());
                return;
              }
              call.sendHeaders(new Metadata());
              call.sendMessage(request);
              call.close(Status.OK, new Metadata());
            }))
            .build()).build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(1)).jitter(0).build())
        .addStreamTracerFactory(factory)
        .build();
    try {
      String request = "tern ".repeat(200);
      CallResult<String> r = new CallResult<>();
      ClientCall<String, String> call =
          channel.newCall(FLAKY, CallOptions.DEFAULT.withCompression("gzip"));
      call.start(r, new Metadata());
      call.request(1);
      call.sendMessage(request);
      call.halfClose();
      r.await();
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);

      assertEquals(2, attempts.size());
      assertEquals(0, attempts.get(0).info.previousAttempts());
      assertEquals(1, attempts.get(1).info.previousAttempts());
      assertFalse(attempts.get(1).info.transparentRetry());
      assertEquals(List.of("created", "out 0 compressed 1000", "trailers", "closed UNAVAILABLE"),
          attempts.get(0).events);
      assertEquals(List.of("created", "out 0 compressed 1000", "headers", "in 0 1000",
          "trailers", "closed OK"), attempts.get(1).events);
      for (Recorded a : attempts) {
        assertEquals(1, a.closes.get());
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void transparentRetryIsItsOwnAttempt() throws Exception {
    try (RawHttp2Server raw = RawHttp2Server.start()) {
      TernChannel channel = TernChannel.builder().target("127.0.0.1:" + raw.port()).build();
      try {
        CallResult<String> r = new CallResult<>();
        ClientCall<String, String> call = channel.newCall(TestMethods.UNARY,
            CallOptions.DEFAULT.withStreamTracerFactory(factory));
        call.start(r, new Metadata());
        call.request(1);
        call.sendMessage("again");
        call.halfClose();
        RawHttp2Connection conn = raw.accept();
        RawFrame first = conn.take(f -> f.type() == RawFrame.Type.HEADERS, WAIT);
        conn.rstStream(first.streamId(), Http2Error.REFUSED_STREAM);
        RawFrame second = conn.take(f -> f.type() == RawFrame.Type.HEADERS
            && f.streamId() != first.streamId(), WAIT);
        conn.take(f -> f.type() == RawFrame.Type.DATA && f.streamId() == second.streamId()
            && f.isEndStream(), WAIT);
        conn.headers(second.streamId(), GrpcWire.responseHeaders(), false);
        conn.data(second.streamId(),
            GrpcWire.lengthPrefixed("answer".getBytes(StandardCharsets.UTF_8)), false);
        conn.headers(second.streamId(), GrpcWire.trailers(0, null), true);
        r.await();
        assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);

        assertEquals(2, attempts.size());
        assertFalse(attempts.get(0).info.transparentRetry());
        assertTrue(attempts.get(1).info.transparentRetry());
        assertEquals(0, attempts.get(1).info.previousAttempts());
        assertEquals("closed UNAVAILABLE", attempts.get(0).events.get(
            attempts.get(0).events.size() - 1));
        assertEquals(List.of("created", "out 0 plain 5", "headers", "in 0 6", "trailers",
            "closed OK"), attempts.get(1).events);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
