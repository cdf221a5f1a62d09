package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.testing.TcpProxy;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures what BDP-driven window growth ({@code autoFlowControl}) buys on a long link: a
 * {@link TcpProxy} adds a fixed one-way delay (and optionally a rate limit), and one call moves
 * 64 MiB each way with auto flow control off and on. A measurement, not a check: it runs only with
 * {@code -Dtern.bench=true}, alone (it turns leak detection off while it runs), e.g.
 *
 * <pre>
 * ./mvnw -B -o -pl transport-netty -am verify -Dtest=BdpMeasurementTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtern.bench=true
 * </pre>
 *
 * <p>Measured on the shared 2-core build machine (load average about 20, so absolute numbers are
 * low and noisy; the ratios are the point), default 1 MiB windows, MiB/s download / upload:
 *
 * <pre>
 * one-way delay   rate        auto off       auto on
 *   0 ms          unlimited   195 / 210      230 / 304
 *  25 ms          unlimited   8.8 / 8.4      37 / 31     (earlier run: 59 / 37)
 *  25 ms          50 MB/s     8.3 / 8.5      43 / 26
 *  50 ms          unlimited   4.8 / 4.6      15 / 9.3    (earlier run: 25 / 13)
 * </pre>
 *
 * Window growth pays 3 to 5 times on a long link and costs nothing on loopback, so
 * {@code autoFlowControl} is on by default.
 */
@EnabledIfSystemProperty(named = "tern.bench", matches = "true")
class BdpMeasurementTest {
  private static final int TOTAL = 64 << 20;
  private static final int MESSAGE = 256 << 10;

  /** Messages of n bytes, written without building arrays. */
  private static final Marshaller<Integer> BLOB = TestMethods.ZEROS;

  /** An int as 4 bytes. */
  private static final Marshaller<Integer> INT = new Marshaller<>() {
    @Override
    public void write(Integer value, ByteBuf out) {
      out.writeInt(value);
    }

    @Override
    public Integer parse(ByteBuf in) {
      return in.readInt();
    }
  };

  private static final MethodDescriptor<Integer, Integer> DOWNLOAD =
      MethodDescriptor.newBuilder(INT, BLOB).setFullMethodName("tern.bench.Bdp/Download")
          .setType(MethodType.SERVER_STREAMING).build();
  private static final MethodDescriptor<Integer, Integer> UPLOAD =
      MethodDescriptor.newBuilder(BLOB, INT).setFullMethodName("tern.bench.Bdp/Upload")
          .setType(MethodType.CLIENT_STREAMING).build();

  @Test
  void measure() throws Exception {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    try {
      List<String> lines = new ArrayList<>();
      long[][] links = {{0, 0}, {25, 0}, {25, 50_000_000}, {50, 0}};
      for (long[] link : links) {
        for (boolean auto : new boolean[] {false, true}) {
          lines.add(run(link[0], link[1], auto));
        }
      }
      System.out.println("BDP measurement (64 MiB per direction, one call, 256 KiB messages):");
      lines.forEach(System.out::println);
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }

  private String run(long delayMillis, long rate, boolean auto) throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("tern.bench.Bdp")
        .addMethod(DOWNLOAD, BdpMeasurementTest::download)
        .addMethod(UPLOAD, BdpMeasurementTest::upload)
        .build();
    TernServer server = TernServer.builder().port(0).addService(service).autoFlowControl(auto)
        .build().start();
    TcpProxy proxy = TcpProxy.start(server.port(), delayMillis, TimeUnit.MILLISECONDS, rate);
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + proxy.port())
        .autoFlowControl(auto).build();
    try {
      transfer(channel, DOWNLOAD, 1 << 20); // connect and warm up
      double down = transfer(channel, DOWNLOAD, TOTAL);
      double up = transfer(channel, UPLOAD, TOTAL);
      return String.format("  one-way delay %3d ms, rate %-9s auto flow control %-3s:"
          + " download %7.1f MiB/s, upload %7.1f MiB/s", delayMillis,
          rate == 0 ? "unlimited" : rate / 1_000_000 + " MB/s", auto ? "on" : "off", down, up);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      proxy.close();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Moves {@code total} bytes in one call; returns MiB/s. */
  private static double transfer(TernChannel channel, MethodDescriptor<Integer, Integer> method,
      int total) throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    long start = System.nanoTime();
    ClientCall<Integer, Integer> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(Integer.MAX_VALUE);
    if (method == DOWNLOAD) {
      call.sendMessage(total);
    } else {
      // sendMessage blocks past the send buffer limit: a simple loop is flow-controlled.
      for (int sent = 0; sent < total; sent += MESSAGE) {
        call.sendMessage(MESSAGE);
      }
    }
    call.halfClose();
    Status status = done.get(300, TimeUnit.SECONDS);
    assertEquals(Status.Code.OK, status.getCode(), status::toString);
    double seconds = (System.nanoTime() - start) / 1e9;
    return total / seconds / (1 << 20);
  }

  private static ServerCall.Listener<Integer> download(ServerCall<Integer, Integer> call,
      Metadata headers) {
    call.request(1);
    return new ServerCall.Listener<>() {
      int remaining = -1;
      boolean closed;

      @Override
      public void onMessage(Integer total) {
        remaining = total;
      }

      @Override
      public void onHalfClose() {
        call.sendHeaders(new Metadata());
        onReady();
      }

      @Override
      public void onReady() {
        if (remaining < 0 || closed) {
          return;
        }
        while (remaining > 0 && call.isReady()) {
          int n = Math.min(MESSAGE, remaining);
          call.sendMessage(n);
          remaining -= n;
        }
        if (remaining == 0) {
          closed = true;
          call.close(Status.OK, new Metadata());
        }
      }
    };
  }

  private static ServerCall.Listener<Integer> upload(ServerCall<Integer, Integer> call,
      Metadata headers) {
    call.request(1);
    return new ServerCall.Listener<>() {
      long received;

      @Override
      public void onMessage(Integer size) {
        received += size;
        call.request(1);
      }

      @Override
      public void onHalfClose() {
        call.sendMessage((int) Math.min(Integer.MAX_VALUE, received));
        call.close(Status.OK, new Metadata());
      }
    };
  }
}
