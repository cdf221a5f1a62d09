package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages queued before the event loop writes them leave as one DATA write. */
class MessageWriterBatchTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final MessageWriter writer =
      new MessageWriter(1 << 20, Integer.MAX_VALUE, PooledByteBufAllocator.DEFAULT);

  /** Records each DATA write; the test completes their promises, as the socket would. */
  private final class Sink implements MessageWriter.DataSink {
    final List<String> writes = new ArrayList<>();
    final List<ChannelPromise> promises = new ArrayList<>();
    int readyEdges;

    @Override
    public ChannelPromise newPromise() {
      return channel.newPromise();
    }

    @Override
    public void writeData(ByteBuf data, boolean endOfStream, ChannelPromise promise) {
      writes.add(data.toString(StandardCharsets.UTF_8));
      data.release();
      promises.add(promise);
    }

    @Override
    public int sendWindow() {
      return 1 << 20;
    }

    @Override
    public void onReady() {
      readyEdges++;
    }
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private boolean queue(String text) {
    ByteBuf frame = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(
        text.getBytes(StandardCharsets.UTF_8));
    int bytes = frame.readableBytes();
    writer.account(bytes);
    return writer.queue(frame, bytes);
  }

  @Test
  void framesQueuedBeforeTheCommandRunsRideWithTheFirstInOrder() {
    Sink sink = new Sink();
    assertTrue(queue("one,"), "the first frame asks for a command");
    assertFalse(queue("two,"), "later ones ride with it");
    assertFalse(queue("three"));
    writer.writeQueued(sink);
    assertEquals(List.of("one,two,three"), sink.writes);
    assertEquals(1, sink.promises.size(), "one promise (and listener) for the batch");

    assertTrue(queue("four"), "after the write, a new batch needs its own command");
    writer.writeQueued(sink);
    assertEquals(List.of("one,two,three", "four"), sink.writes);
  }

  @Test
  void batchWrittenReleasesItsBytesFromTheSendBufferOnce() {
    Sink sink = new Sink();
    // Past the onReady threshold, then written: one ready edge when the batch leaves.
    for (int i = 0; i < 40; i++) {
      queue("x".repeat(1024));
    }
    assertFalse(writer.isReady(), "40 KiB on its way to the event loop");
    writer.writeQueued(sink);
    assertTrue(writer.isReady());
    assertEquals(1, sink.readyEdges);
    sink.promises.get(0).setSuccess();
    assertTrue(writer.awaitRoom(() -> false) == SendBuffer.Room.AVAILABLE);
  }

  @Test
  void droppedBatchIsReleasedAndFreesTheSendBuffer() {
    ByteBuf first = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[100]);
    writer.account(100);
    writer.queue(first, 100);
    queue("second");
    writer.dropQueued();
    assertEquals(0, first.refCnt());
    assertTrue(writer.isReady());
    Sink sink = new Sink();
    writer.writeQueued(sink);
    assertTrue(sink.writes.isEmpty(), "nothing left to write");
  }
}
