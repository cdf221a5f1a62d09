package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.conformance.echo.EchoReply;
import dev.tern.conformance.echo.EchoRequest;
import dev.tern.conformance.echo.EchoServiceTern;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.MessageSink;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * JDK 21+ ({@code jdk21} tag): 10,000 concurrent server-streaming calls, each served by a
 * blocking handler on its own virtual thread, sending as fast as it can to a client that stopped
 * reading. Every handler ends up parked in {@code MessageSink.send} (none can finish: each would
 * have to send 1 MiB), the heap stays bounded (printed), cancelling the calls wakes every handler
 * with CANCELLED, and JFR records no {@code jdk.VirtualThreadPinned} event (threshold 0).
 *
 * <p>The recording starts after a warm-up round of a few calls: the first use of a class loads
 * and initializes it under a JVM lock, which pins a virtual thread on every JDK (JEP 491 freed
 * {@code synchronized}, not class initialization). What is checked is that waiting in Tern
 * never pins.
 */
@Tag("jdk21")
@Isolated("10,000 calls: measures the heap")
@Timeout(value = 10, unit = TimeUnit.MINUTES) // 10,000 calls under PARANOID leak tracking
class VirtualThreadStreamsTest {
  private static final int CALLS = 10_000;
  private static final int MESSAGE = 1024;
  /** Per handler: 1 MiB in all, far beyond what flow control lets through to a stalled reader. */
  private static final int MESSAGES_PER_CALL = 1024;
  /** What each handler must have sent before measuring: within the client's stream window. */
  private static final int SENT_BEFORE_MEASURING = 2;
  private static final int STREAM_WINDOW = 8 * 1024;
  private static final int SEND_BUFFER = 8 * 1024;
  /** The heap bound asserted: far below what 10,000 unbounded 1 MiB streams would take. */
  private static final long HEAP_BOUND = 1024L << 20;

  /** Calls in the warm-up round, before the recording and the measurement. */
  private static final int WARM_UP_CALLS = 32;

  private final AtomicInteger onPlatformThreads = new AtomicInteger();
  private volatile Round round;

  /** What the handlers of one round of calls report. Thread-safe. */
  private static final class Round {
    final CountDownLatch sending;
    final CountDownLatch cancelled;
    final AtomicInteger completed = new AtomicInteger();

    Round(int calls) {
      sending = new CountDownLatch(calls);
      cancelled = new CountDownLatch(calls);
    }
  }

  /** Sends 1 MiB in 1 KiB replies, counting down once it sent a couple. */
  private final class Flood implements EchoServiceTern.BlockingService {
    @Override
    public void expand(EchoRequest request, MessageSink<EchoReply> responses)
        throws StatusException {
      if (!BlockingEcho.onVirtualThread()) {
        onPlatformThreads.incrementAndGet();
      }
      Round r = round;
      EchoReply reply = EchoReply.newBuilder()
          .setPayload(ByteString.copyFrom(new byte[MESSAGE])).build();
      try {
        for (int i = 0; i < MESSAGES_PER_CALL; i++) {
          responses.send(reply);
          if (i + 1 == SENT_BEFORE_MEASURING) {
            r.sending.countDown();
          }
        }
        r.completed.incrementAndGet();
      } catch (StatusException e) {
        if (e.getStatus().getCode() == Status.Code.CANCELLED) {
          r.cancelled.countDown();
        }
        throw e;
      }
    }
  }

  @Test
  void tenThousandBlockedStreamingHandlersHoldBoundedMemoryAndNeverPin() throws Exception {
    Path jfr = Files.createTempFile("tern-pinned", ".jfr");
    TernServer server = null;
    TernChannel channel = null;
    List<ClientCall<EchoRequest, EchoReply>> calls = new ArrayList<>(CALLS);
    try (Recording recording = new Recording()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(java.time.Duration.ZERO)
          .withStackTrace();

      server = TernServer.builder().port(0).useVirtualThreads()
          .maxConcurrentStreams(CALLS * 2).sendBufferLimit(SEND_BUFFER)
          .maxRstFramesPerWindow(CALLS * 2, 10) // the cancels at the end are no attack
          .addService(EchoServiceTern.bindService(new Flood())).build().start();
      // A stalled reader: each stream's window is small; the connection's holds them all.
      channel = TernChannel.builder().target("127.0.0.1:" + server.port())
          .flowControlWindow(STREAM_WINDOW).connectionFlowControlWindow(CALLS * 4 * MESSAGE)
          .autoFlowControl(false) // fixed windows: BDP probing would grow them
          .build();

      Round warmUp = new Round(WARM_UP_CALLS);
      round = warmUp;
      List<ClientCall<EchoRequest, EchoReply>> warmUpCalls = startFloods(channel, WARM_UP_CALLS);
      assertTrue(warmUp.sending.await(100, TimeUnit.SECONDS), "warm-up handlers sending");
      warmUpCalls.forEach(c -> c.cancel("warm-up over", null));
      assertTrue(warmUp.cancelled.await(100, TimeUnit.SECONDS), "warm-up handlers cancelled");

      recording.start();
      Round measured = new Round(CALLS);
      round = measured;
      long heapBefore = heapAfterGc();
      calls = startFloods(channel, CALLS);
      assertTrue(measured.sending.await(100, TimeUnit.SECONDS),
          "handlers sending: " + (CALLS - measured.sending.getCount()));

      long heapBlocked = heapAfterGc();
      System.out.printf("VirtualThreadStreamsTest: %,d blocked streaming handlers: heap after GC"
          + " %,d KiB (%,d KiB before the calls, %,d B per call), RSS %s%n", CALLS,
          heapBlocked >> 10, heapBefore >> 10, (heapBlocked - heapBefore) / CALLS, rss());
      assertEquals(0, measured.completed.get(),
          "handlers that sent 1 MiB to a reader that stopped");
      assertEquals(0, onPlatformThreads.get(), "handlers on platform threads");
      assertTrue(heapBlocked < HEAP_BOUND, "heap after GC " + heapBlocked);

      for (ClientCall<EchoRequest, EchoReply> call : calls) {
        call.cancel("done measuring", null);
      }
      assertTrue(measured.cancelled.await(100, TimeUnit.SECONDS),
          "handlers woken with CANCELLED: " + (CALLS - measured.cancelled.getCount()));

      recording.stop();
      recording.dump(jfr);
      List<String> pinned = new ArrayList<>();
      for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
        if (e.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
          pinned.add(e.toString());
        }
      }
      System.out.println("VirtualThreadStreamsTest: jdk.VirtualThreadPinned events: "
          + pinned.size());
      assertEquals(List.of(), pinned);
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      if (server != null) {
        server.shutdownNow();
      }
      Files.deleteIfExists(jfr);
    }
  }

  /** Starts {@code n} Expand calls that read one reply each and then never ask for more. */
  private static List<ClientCall<EchoRequest, EchoReply>> startFloods(TernChannel channel, int n) {
    EchoRequest request = EchoRequest.newBuilder().setText("flood").build();
    List<ClientCall<EchoRequest, EchoReply>> calls = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ClientCall<EchoRequest, EchoReply> call =
          channel.newCall(EchoServiceTern.getExpandMethod(), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {}, new Metadata());
      call.request(1);
      call.sendMessage(request);
      call.halfClose();
      calls.add(call);
    }
    return calls;
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The process's resident set (Linux), or "n/a". */
  private static String rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return line.substring("VmRSS:".length()).trim();
        }
      }
    } catch (java.io.IOException e) {
      // not Linux
    }
    return "n/a";
  }
}
