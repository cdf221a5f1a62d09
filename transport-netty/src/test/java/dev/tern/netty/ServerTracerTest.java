package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Attributes;
import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's stream tracer call sites: one tracer per call, sizes with gzip, one end. */
class ServerTracerTest {
  /** Answers as many zeros as asked, gzip-compressed when the client accepts it. */
  static final MethodDescriptor<Integer, Integer> ZEROS =
      MethodDescriptor.newBuilder(TestMethods.ZEROS, TestMethods.ZEROS)
          .setFullMethodName("tern.test.Tracing/Zeros").setType(MethodType.UNARY).build();
  /** Never answers: the client cancels it. */
  static final MethodDescriptor<Integer, Integer> HANG =
      MethodDescriptor.newBuilder(TestMethods.ZEROS, TestMethods.ZEROS)
          .setFullMethodName("tern.test.Tracing/Hang").setType(MethodType.UNARY).build();

  private static final List<Recorder> tracers = new CopyOnWriteArrayList<>();
  private static final CountDownLatch hangStarted = new CountDownLatch(1);
  private static TernServer server;

  @BeforeAll
  static void start() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.test.Tracing")
        .addMethod(ZEROS, TestMethodsAdapter.unaryZeros())
        .addMethod(HANG, (call, headers) -> {
          call.request(1);
          hangStarted.countDown();
          return new ServerCall.Listener<>() {};
        })
        .build();
    server = TernServer.builder().port(0).addService(service)
        .addStreamTracerFactory((method, headers) -> {
          Recorder r = new Recorder(method);
          tracers.add(r);
          return r;
        })
        .build().start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void gzipCallReportsWireAndUncompressedSizesAndEndsOnce() throws Exception {
    tracers.clear();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    try {
      CallResult<Integer> r = new CallResult<>();
      ClientCall<Integer, Integer> call =
          channel.newCall(ZEROS, CallOptions.DEFAULT.withCompression("gzip"));
      call.start(r, new Metadata());
      call.request(1);
      call.sendMessage(100_000);
      call.halfClose();
      r.await();
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);

      assertEquals(1, tracers.size());
      Recorder t = tracers.get(0);
      assertTrue(t.closed.await(10, TimeUnit.SECONDS));
      assertEquals("tern.test.Tracing/Zeros", t.fullMethodName);
      List<String> events = List.copyOf(t.events);
      assertEquals(4, events.size(), events::toString);
      assertEquals("started tern.test.Tracing/Zeros", events.get(0));
      assertTrue(events.get(1).startsWith("in 0 "), events::toString);
      assertTrue(events.get(2).startsWith("out 0 "), events::toString);
      assertEquals("closed OK", events.get(3));
      for (String e : events.subList(1, 3)) {
        String[] parts = e.split(" ");
        long wire = Long.parseLong(parts[2]);
        long uncompressed = Long.parseLong(parts[3]);
        assertEquals(100_000, uncompressed, e);
        assertTrue(wire > 0 && wire < 10_000, "gzip made it small on the wire: " + e);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void cancelledCallEndsCancelledOnce() throws Exception {
    tracers.clear();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    try {
      CallResult<Integer> r = new CallResult<>();
      ClientCall<Integer, Integer> call = channel.newCall(HANG, CallOptions.DEFAULT);
      call.start(r, new Metadata());
      call.request(1);
      call.sendMessage(10);
      assertTrue(hangStarted.await(10, TimeUnit.SECONDS));
      call.cancel("test", null);
      r.await();

      Recorder t = tracers.get(0);
      assertTrue(t.closed.await(10, TimeUnit.SECONDS));
      List<String> events = List.copyOf(t.events);
      assertEquals("started tern.test.Tracing/Hang", events.get(0));
      assertEquals("closed CANCELLED", events.get(events.size() - 1), events::toString);
      assertEquals(1, events.stream().filter(e -> e.startsWith("closed")).count());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Keeps each event as text. */
  private static final class Recorder extends ServerStreamTracer {
    final String fullMethodName;
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);

    Recorder(String fullMethodName) {
      this.fullMethodName = fullMethodName;
    }

    @Override
    public void serverCallStarted(MethodDescriptor<?, ?> method, Attributes attributes) {
      events.add("started " + method.getFullMethodName());
    }

    @Override
    public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      events.add("in " + seqNo + " " + wireSize + " " + uncompressedSize);
    }

    @Override
    public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
      events.add("out " + seqNo + " " + wireSize + " " + uncompressedSize);
    }

    @Override
    public void streamClosed(Status status) {
      events.add("closed " + status.getCode());
      closed.countDown();
    }
  }

  /** A unary zeros handler that responds gzip-compressed. */
  private static final class TestMethodsAdapter {
    static dev.tern.ServerCallHandler<Integer, Integer> unaryZeros() {
      return (call, headers) -> {
        call.setCompression("gzip");
        call.request(1);
        return new ServerCall.Listener<>() {
          private Integer request;

          @Override
          public void onMessage(Integer message) {
            request = message;
          }

          @Override
          public void onHalfClose() {
            call.sendHeaders(new Metadata());
            call.sendMessage(request);
            call.close(Status.OK, new Metadata());
          }
        };
      };
    }
  }
}
