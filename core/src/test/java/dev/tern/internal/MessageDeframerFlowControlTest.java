package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the deframer hands back flow-control credit (see its class comment). */
class MessageDeframerFlowControlTest {
  private final Sink sink = new Sink();
  private final MessageDeframer deframer =
      new MessageDeframer(sink, PooledByteBufAllocator.DEFAULT, 1 << 20);

  @AfterEach
  void close() {
    deframer.close();
  }

  @Test
  void unrequestedMessagesEarnNoCredit() {
    deframer.deframe(frames(100, 200, 300));
    assertEquals(0, sink.credit);
    assertEquals(0, sink.messages.size());
    deframer.request(2);
    assertEquals(List.of(100, 200), sink.messages);
    assertEquals(5 + 100 + 5 + 200, sink.credit);
  }

  @Test
  void requestedMessageEarnsCreditWhileItArrives() {
    deframer.request(1);
    ByteBuf whole = frames(10_000);
    deframer.deframe(whole.readRetainedSlice(3));
    assertEquals(3, sink.credit, "part of the header");
    deframer.deframe(whole.readRetainedSlice(4000));
    assertEquals(4003, sink.credit, "credit before the message is complete");
    assertEquals(0, sink.messages.size());
    deframer.deframe(whole);
    assertEquals(List.of(10_000), sink.messages);
    assertEquals(10_005, sink.credit, "each byte credited exactly once");
  }

  @Test
  void partialMessageNobodyAskedForEarnsNoCredit() {
    ByteBuf whole = frames(10_000);
    deframer.deframe(whole.readRetainedSlice(6000));
    assertEquals(0, sink.credit);
    deframer.request(1);
    assertEquals(6000, sink.credit, "asking credits what is already here");
    deframer.deframe(whole);
    assertEquals(10_005, sink.credit);
    assertEquals(List.of(10_000), sink.messages);
  }

  @Test
  void creditStopsAtTheRequestedMessage() {
    deframer.request(1);
    deframer.deframe(frames(100, 5000));
    assertEquals(List.of(100), sink.messages);
    assertEquals(105, sink.credit, "the second message was not asked for");
  }

  @Test
  void readAheadTakesOnlyWholeMessagesAndCreditsNothingEarly() {
    sink.readAheadLimit = 2;
    ByteBuf partial = frames(10_000);
    deframer.deframe(frames(100).writeBytes(partial, 6000));
    assertEquals(List.of(100), sink.messages, "the whole one, unrequested");
    assertEquals(0, sink.bytesConsumed, "the partial one is nobody's yet");
    deframer.request(1);
    assertEquals(6000, sink.bytesConsumed, "asked for: what is here is credited");
    deframer.deframe(partial);
    assertEquals(List.of(100, 10_000), sink.messages);
  }

  @Test
  void readAheadStopsWhereTheSinkSays() {
    sink.readAheadLimit = 2;
    deframer.deframe(frames(100, 200, 300));
    assertEquals(List.of(100, 200), sink.messages);
    sink.readAheadLimit = 3;
    deframer.resume();
    assertEquals(List.of(100, 200, 300), sink.messages);
  }

  private static ByteBuf frames(int... sizes) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
    for (int size : sizes) {
      buf.writeByte(0).writeInt(size).writeZero(size);
    }
    return buf;
  }

  private static final class Sink implements MessageDeframer.Sink {
    final List<Integer> messages = new ArrayList<>();
    int credit;
    int bytesConsumed;
    /** Reads ahead while fewer messages than this were delivered; 0: never (the default). */
    int readAheadLimit;

    @Override
    public void messageRead(ByteBuf message, boolean compressed, int frameBytes) {
      messages.add(message.readableBytes());
      credit += frameBytes;
      message.release();
    }

    @Override
    public boolean readAhead() {
      return messages.size() < readAheadLimit;
    }

    @Override
    public void bytesConsumed(int bytes) {
      credit += bytes;
      bytesConsumed += bytes;
    }

    @Override
    public void streamEnded() {}

    @Override
    public void deframeFailed(Status status) {
      throw new AssertionError(status.toString());
    }
  }
}
