package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageDeframerTest {
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  private final List<String> messages = new ArrayList<>();
  private final List<Integer> credits = new ArrayList<>();
  private Status failure;
  private boolean ended;
  private final MessageDeframer deframer = new MessageDeframer(new MessageDeframer.Sink() {
    @Override
    public void messageRead(ByteBuf message, boolean compressed, int frameBytes) {
      messages.add(message.toString(StandardCharsets.UTF_8));
      credits.add(frameBytes);
      message.release();
    }

    @Override
    public void streamEnded() {
      ended = true;
    }

    @Override
    public void deframeFailed(Status status) {
      failure = status;
    }
  }, ALLOC, 100);

  @AfterEach
  void release() {
    deframer.close();
  }

  private static ByteBuf frame(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    ByteBuf buf = ALLOC.buffer();
    buf.writeByte(0).writeInt(bytes.length).writeBytes(bytes);
    return buf;
  }

  @Test
  void deliversOnlyWhatWasRequested() {
    ByteBuf two = Unpooled.wrappedBuffer(frame("a"), frame("bc"));
    deframer.deframe(two);
    assertTrue(messages.isEmpty());
    deframer.request(1);
    assertEquals(List.of("a"), messages);
    deframer.request(5);
    assertEquals(List.of("a", "bc"), messages);
    assertEquals(List.of(6, 7), credits);
  }

  @Test
  void reassemblesMessagesSplitAcrossFrames() {
    ByteBuf whole = frame("hello world");
    deframer.request(1);
    for (int i = 0; i < whole.readableBytes(); i++) {
      deframer.deframe(whole.retainedSlice(i, 1));
    }
    whole.release();
    assertEquals(List.of("hello world"), messages);
  }

  @Test
  void messagesOutliveLaterFramesBeingDiscarded() {
    // A message that spans frames must stay intact while the deframer moves on.
    ByteBuf a = frame("first message");
    ByteBuf b = frame("second");
    ByteBuf joined = Unpooled.wrappedBuffer(a, b);
    deframer.request(2);
    deframer.deframe(joined.retainedSlice(0, 9));
    deframer.deframe(joined.retainedSlice(9, joined.readableBytes() - 9));
    joined.release();
    assertEquals(List.of("first message", "second"), messages);
  }

  @Test
  void emptyMessagesAreDelivered() {
    deframer.request(2);
    deframer.deframe(frame(""));
    deframer.endOfStream();
    assertEquals(List.of(""), messages);
    assertTrue(ended);
  }

  @Test
  void lengthOverLimitFailsBeforeBuffering() {
    ByteBuf header = ALLOC.buffer().writeByte(0).writeInt(1_000_000);
    deframer.request(1);
    deframer.deframe(header);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, failure.getCode());
    assertTrue(deframer.isClosed());
  }

  @Test
  void endOfStreamMidMessageIsInternal() {
    ByteBuf f = frame("truncated");
    f.writerIndex(f.writerIndex() - 2);
    deframer.request(1);
    deframer.deframe(f);
    deframer.endOfStream();
    assertEquals(Status.Code.INTERNAL, failure.getCode());
    assertFalse(ended);
  }

  @Test
  void endOfStreamWaitsForUnrequestedMessages() {
    deframer.deframe(frame("later"));
    deframer.endOfStream();
    assertFalse(ended);
    assertNull(failure);
    deframer.request(1);
    assertEquals(List.of("later"), messages);
    assertTrue(ended);
  }

  @Test
  void reservedFlagBitsAreRejected() {
    ByteBuf f = ALLOC.buffer().writeByte(0x02).writeInt(0);
    deframer.request(1);
    deframer.deframe(f);
    assertEquals(Status.Code.INTERNAL, failure.getCode());
  }

  @Test
  void compressedFlagIsReported() {
    boolean[] compressed = new boolean[1];
    MessageDeframer d = new MessageDeframer(new MessageDeframer.Sink() {
      @Override
      public void messageRead(ByteBuf message, boolean c, int frameBytes) {
        compressed[0] = c;
        message.release();
      }

      @Override
      public void streamEnded() {}

      @Override
      public void deframeFailed(Status status) {}
    }, ALLOC, 100);
    d.request(1);
    d.deframe(ALLOC.buffer().writeByte(1).writeInt(1).writeByte('x'));
    d.close();
    assertTrue(compressed[0]);
  }
}
