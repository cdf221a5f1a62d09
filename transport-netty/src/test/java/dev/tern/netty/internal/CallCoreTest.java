package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Marshaller;
import dev.tern.Status;
import dev.tern.internal.GzipCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared per-stream pieces, without a transport: phase table, dispatcher, reader, writer. */
class CallCoreTest {
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  @Test
  void phaseTableAllowsOnlyTheDocumentedTransitions() {
    assertEquals(CallPhase.OPEN, CallPhase.IDLE.next(CallPhase.Event.START));
    assertEquals(CallPhase.HALF_CLOSED, CallPhase.OPEN.next(CallPhase.Event.HALF_CLOSE));
    assertEquals(CallPhase.CANCELLED, CallPhase.HALF_CLOSED.next(CallPhase.Event.CANCEL));
    assertEquals(CallPhase.CANCELLED, CallPhase.CANCELLED.next(CallPhase.Event.HALF_CLOSE));
    assertEquals(CallPhase.CLOSED, CallPhase.CANCELLED.next(CallPhase.Event.CLOSE));
    assertEquals(CallPhase.CLOSED, CallPhase.CLOSED.next(CallPhase.Event.CANCEL));
    assertThrows(IllegalStateException.class, () -> CallPhase.OPEN.next(CallPhase.Event.START));
    assertThrows(IllegalStateException.class,
        () -> CallPhase.HALF_CLOSED.next(CallPhase.Event.HALF_CLOSE));
    assertThrows(IllegalStateException.class,
        () -> CallPhase.IDLE.next(CallPhase.Event.HALF_CLOSE));
  }

  @Test
  void dispatcherGuardsAThrowingCallbackAndDropsEverythingAfterStop() {
    List<String> seen = new ArrayList<>();
    List<Throwable> thrown = new ArrayList<>();
    CallbackDispatcher d = new CallbackDispatcher(null, null, thrown::add);
    d.dispatch(() -> seen.add("a"));
    d.dispatch(() -> {
      throw new IllegalStateException("listener bug");
    });
    d.dispatch(() -> {
      seen.add("close");
      d.stop();
    });
    d.dispatch(() -> seen.add("after close"));
    assertEquals(List.of("a", "close"), seen);
    assertEquals(1, thrown.size());
  }

  private static final Marshaller<String> UTF8 = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  };

  @Test
  void writerReportsWireAndUncompressedSizesAndReaderRestoresTheMessage() {
    MessageWriter writer = new MessageWriter(1 << 20, Integer.MAX_VALUE, ALLOC);
    writer.setCodec(GzipCodec.INSTANCE);
    String text = "tern ".repeat(200);
    ByteBuf frame = writer.frame(UTF8, text);
    assertEquals(1000, writer.lastUncompressedSize());
    int wire = MessageWriter.wireSize(frame);
    assertTrue(wire < 100, () -> "compressed to " + wire);

    List<String> got = new ArrayList<>();
    int[] credit = {0};
    MessageReader[] reader = new MessageReader[1];
    reader[0] = new MessageReader(new MessageReader.Target() {
      @Override
      public void messageRead(ByteBuf message, boolean compressed, int wireSize) {
        assertTrue(compressed);
        assertEquals(wire, wireSize);
        ByteBuf plain = reader[0].decode(message, true);
        got.add(plain.toString(StandardCharsets.UTF_8));
        plain.release();
      }

      @Override
      public void returnBytes(int bytes) {
        credit[0] += bytes;
      }

      @Override
      public void endOfStream() {
        got.add("end");
      }

      @Override
      public void readFailed(Status status) {
        got.add(status.toString());
      }
    }, ALLOC, 4096, GzipCodec.INSTANCE, "response");
    int frameBytes = frame.readableBytes();
    reader[0].deframe(frame);
    reader[0].request(1);
    reader[0].endOfStream();
    assertEquals(List.of(text, "end"), got);
    assertEquals(frameBytes, credit[0]);
  }

  @Test
  void compressedMessageWithoutAnEncodingFailsTheRead() {
    MessageWriter writer = new MessageWriter(1 << 20, Integer.MAX_VALUE, ALLOC);
    writer.setCodec(GzipCodec.INSTANCE);
    ByteBuf frame = writer.frame(UTF8, "x".repeat(500));
    List<Status> failures = new ArrayList<>();
    MessageReader reader = new MessageReader(new MessageReader.Target() {
      @Override
      public void messageRead(ByteBuf message, boolean compressed, int wireSize) {
        message.release();
      }

      @Override
      public void returnBytes(int bytes) {}

      @Override
      public void endOfStream() {}

      @Override
      public void readFailed(Status status) {
        failures.add(status);
      }
    }, ALLOC, 4096, null, "response");
    reader.request(1);
    reader.deframe(frame);
    assertEquals(1, failures.size());
    assertEquals(Status.Code.INTERNAL, failures.get(0).getCode());
  }
}
