package dev.tern.benchmarks;

import dev.tern.netty.internal.EventLoops;
import io.grpc.benchmarks.proto.BenchmarkServiceTern;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The raw Netty HTTP/2 echo, driven like the gRPC stacks: same headers, same request bytes,
 * callbacks on the event loop (there is no executor to choose). Thread-safe.
 */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
final class RawHarness extends Harness {
  private static final int STREAM_MESSAGE = 1024;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final EventLoopGroup clientGroup;
  private final RawHttp2.Server server;
  private final RawHttp2.Client client;
  private final Http2Headers unaryHeaders;
  private final Http2Headers streamingHeaders;
  private final Http2Headers fromServerHeaders;
  private final Map<SimpleRequest, ByteBuf> frames = new IdentityHashMap<>();

  RawHarness() throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    boss = EventLoops.newGroup(1, "raw-server-boss");
    workers = EventLoops.newGroup(threads, "raw-server-worker");
    clientGroup = EventLoops.newGroup(threads, "raw-client-worker");
    server = new RawHttp2.Server(0, boss, workers,
        RawHttp2.grpcFrame(Payloads.response(STREAM_MESSAGE)));
    client = new RawHttp2.Client("127.0.0.1", server.port(), clientGroup);
    String authority = "127.0.0.1:" + server.port();
    unaryHeaders = RawHttp2.requestHeaders(
        BenchmarkServiceTern.getUnaryCallMethod().getFullMethodName(), authority);
    streamingHeaders = RawHttp2.requestHeaders(
        BenchmarkServiceTern.getStreamingCallMethod().getFullMethodName(), authority);
    fromServerHeaders = RawHttp2.requestHeaders(
        BenchmarkServiceTern.getStreamingFromServerMethod().getFullMethodName(), authority);
  }

  /** The request's frame bytes, serialized once (the gRPC stacks serialize on every call). */
  private ByteBuf frame(SimpleRequest request) {
    synchronized (frames) {
      return frames.computeIfAbsent(request, RawHttp2::grpcFrame).duplicate();
    }
  }

  @Override
  public void unaryBlocking(SimpleRequest request) {
    Handoff handoff = new Handoff();
    client.start(unaryHeaders, frame(request), true, new RawHttp2.Response() {
      @Override
      public void onData(ByteBuf data) {}

      @Override
      public void onEnd() {
        handoff.signal();
      }
    });
    try {
      handoff.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void unaryAsync(SimpleRequest request, Done done) {
    client.start(unaryHeaders, frame(request), true, new RawHttp2.Response() {
      @Override
      public void onData(ByteBuf data) {}

      @Override
      public void onEnd() {
        done.done(true);
      }
    });
  }

  @Override
  public AutoCloseable serverStream(SimpleRequest request, LongAdder received) {
    int frameBytes = 5 + Payloads.response(request.getResponseSize()).getSerializedSize();
    RawHttp2.RawStream stream = client.start(fromServerHeaders, frame(request), true,
        new RawHttp2.Response() {
          private long bytes;

          @Override
          public void onData(ByteBuf data) {
            // DATA frames may split or join messages; count whole messages by bytes.
            bytes += data.readableBytes();
            long whole = bytes / frameBytes;
            if (whole > 0) {
              received.add(whole);
              bytes -= whole * frameBytes;
            }
          }

          @Override
          public void onEnd() {}
        });
    return () -> client.cancel(stream);
  }

  @Override
  public PingPong pingPong(SimpleRequest request) {
    Handoff handoff = new Handoff();
    RawHttp2.RawStream stream = client.start(streamingHeaders, null, false,
        new RawHttp2.Response() {
          @Override
          public void onData(ByteBuf data) {
            handoff.signal();
          }

          @Override
          public void onEnd() {}
        });
    return new PingPong() {
      @Override
      public void roundTrip() throws InterruptedException {
        client.send(stream, frame(request), false);
        handoff.await();
      }

      @Override
      public void close() {
        client.cancel(stream);
      }
    };
  }

  @Override
  public void close() throws Exception {
    client.close();
    server.close();
    clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
