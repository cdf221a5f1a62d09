package dev.tern.benchmarks;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.internal.MessageDeframer;
import dev.tern.netty.internal.GrpcHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/** Micro-benchmarks of Tern's framing and header code, without sockets. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FramingBenchmark {
  /** A deframer fed 1 KiB messages, one per DATA frame or split across two. */
  @State(Scope.Thread)
  public static class Deframing implements MessageDeframer.Sink {
    MessageDeframer deframer;
    ByteBuf frame;
    ByteBuf firstHalf;
    ByteBuf secondHalf;
    Blackhole blackhole;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
      blackhole = bh;
      deframer = new MessageDeframer(this, PooledByteBufAllocator.DEFAULT, Integer.MAX_VALUE);
      frame = PooledByteBufAllocator.DEFAULT.directBuffer(1029);
      frame.writeByte(0).writeInt(1024).writeZero(1024);
      firstHalf = frame.retainedSlice(0, 512);
      secondHalf = frame.retainedSlice(512, 517);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      deframer.close();
      firstHalf.release();
      secondHalf.release();
      frame.release();
    }

    @Override
    public void messageRead(ByteBuf message, boolean compressed, int frameBytes) {
      blackhole.consume(message.getByte(message.readerIndex()));
      message.release();
    }

    @Override
    public void streamEnded() {}

    @Override
    public void deframeFailed(Status status) {
      throw status.asRuntimeException();
    }
  }

  /** One whole 1 KiB message in one DATA frame. */
  @Benchmark
  public void deframeWholeMessage(Deframing d) {
    d.deframer.request(1);
    d.deframer.deframe(d.frame.retainedDuplicate());
  }

  /** One 1 KiB message arriving in two DATA frames. */
  @Benchmark
  public void deframeSplitMessage(Deframing d) {
    d.deframer.request(1);
    d.deframer.deframe(d.firstHalf.retainedDuplicate());
    d.deframer.deframe(d.secondHalf.retainedDuplicate());
  }

  /** Typical application metadata: three ASCII keys and a binary trace context. */
  @State(Scope.Thread)
  public static class Headers {
    Metadata metadata;
    Http2Headers received;

    @Setup(Level.Trial)
    public void setUp() {
      metadata = new Metadata();
      metadata.put(Metadata.Key.ascii("x-request-id"), "6f1c2b9e-5a47-4d0e-9a77-3c2f1e0d8b41");
      metadata.put(Metadata.Key.ascii("authorization"), "Bearer abcdefghijklmnopqrstuvwxyz012345");
      metadata.put(Metadata.Key.ascii("x-tenant"), "acme");
      metadata.put(Metadata.Key.binary("trace-bin"), new byte[] {
          0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 1, 2, 3, 4, 5, 6, 7, 8, 2});
      received = new DefaultHttp2Headers(false)
          .method("POST").scheme("http").path("/grpc.testing.BenchmarkService/UnaryCall")
          .authority("127.0.0.1:50051")
          .set("content-type", "application/grpc").set("te", "trailers")
          .set("user-agent", "grpc-java-netty/1.85.1");
      GrpcHeaders.addMetadata(metadata, received);
    }
  }

  @Benchmark
  public Http2Headers metadataEncode(Headers h) {
    Http2Headers out = new DefaultHttp2Headers(false);
    GrpcHeaders.addMetadata(h.metadata, out);
    return out;
  }

  @Benchmark
  public Metadata metadataDecode(Headers h) {
    return GrpcHeaders.toMetadata(h.received);
  }
}
