package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The write queue's batching and its inline path during a read, on an embedded event loop. */
class WriteQueueTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final WriteQueue queue = new WriteQueue(channel);
  private final List<String> ran = new ArrayList<>();

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void aCommandOutsideAReadRunsInTheDrainWhichFlushes() {
    queue.enqueue(() -> channel.write(Unpooled.wrappedBuffer(new byte[] {1})));
    assertNull(channel.readOutbound(), "nothing runs before the event loop's task");

    channel.runPendingTasks();

    ByteBuf written = channel.readOutbound();
    assertEquals(1, written.readableBytes(), "the drain ran the command and flushed");
    written.release();
  }

  @Test
  void aCommandEnqueuedDuringAReadRunsWhenTheReadEndsWithoutATask() {
    queue.readStarted();
    queue.enqueue(() -> {
      ran.add("echo");
      channel.write(Unpooled.wrappedBuffer(new byte[] {1}));
    });
    assertTrue(ran.isEmpty(), "kept until the read ends");
    queue.readEnded();

    assertEquals(List.of("echo"), ran, "ran as the read ended, no task");
    assertNull(channel.readOutbound(), "not flushed by the queue: the read-complete flush sends it");
    channel.flush();
    ByteBuf written = channel.readOutbound();
    assertEquals(1, written.readableBytes());
    written.release();
  }

  @Test
  void commandsEnqueuedDuringOneReadRunInOrderWhenItEnds() {
    queue.readStarted();
    queue.enqueue(() -> ran.add("first"));
    queue.enqueue(() -> ran.add("second"));
    queue.readEnded();

    assertEquals(List.of("first", "second"), ran);
  }

  @Test
  void aCommandEnqueuedDuringAReadKeepsItsTurnBehindQueuedOnes() {
    queue.enqueue(() -> ran.add("queued before"));
    queue.readStarted();
    queue.enqueue(() -> ran.add("during read"));
    queue.readEnded();
    assertTrue(ran.isEmpty(), "the later command may not overtake the queued one");

    channel.runPendingTasks();

    assertEquals(List.of("queued before", "during read"), ran);
  }

  @Test
  void aCommandEnqueuedByAReadCommandRunsAfterIt() {
    queue.readStarted();
    queue.enqueue(() -> {
      ran.add("outer start");
      queue.enqueue(() -> ran.add("nested"));
      ran.add("outer end");
    });
    queue.readEnded();
    assertEquals(List.of("outer start", "outer end"), ran, "nested waits its turn in the queue");

    channel.runPendingTasks();

    assertEquals(List.of("outer start", "outer end", "nested"), ran);
  }

  @Test
  void afterTheReadCommandsGoThroughTheQueueAgain() {
    queue.readStarted();
    queue.readEnded();
    queue.enqueue(() -> ran.add("later"));
    assertTrue(ran.isEmpty());

    channel.runPendingTasks();

    assertEquals(List.of("later"), ran);
  }

  @Test
  void aFailingReadCommandDoesNotReachTheEnqueuerAndLaterCommandsRun() {
    queue.readStarted();
    queue.enqueue(() -> {
      throw new IllegalStateException("boom");
    });
    queue.enqueue(() -> ran.add("after"));
    queue.readEnded();

    assertEquals(List.of("after"), ran);
  }

  @Test
  void aLazilyQueuedCommandKeepsItsTurnBeforeALaterOne() {
    queue.enqueueLazily(() -> ran.add("lazy"));
    queue.enqueue(() -> ran.add("eager"));

    channel.runPendingTasks();

    assertEquals(List.of("lazy", "eager"), ran);
  }

  @Test
  void expediteRunsALazilyQueuedCommandAndIsANoOpOtherwise() {
    queue.expedite();
    channel.runPendingTasks();
    queue.enqueueLazily(() -> ran.add("lazy"));
    queue.expedite();

    channel.runPendingTasks();

    assertEquals(List.of("lazy"), ran);
  }

  @Test
  void aLazilyQueuedCommandIsNotOvertakenByOneRunInlineDuringARead() {
    queue.enqueueLazily(() -> ran.add("lazy"));
    queue.readStarted();
    queue.enqueue(() -> ran.add("during read"));
    queue.readEnded();
    assertTrue(ran.isEmpty());

    channel.runPendingTasks();

    assertEquals(List.of("lazy", "during read"), ran);
  }

  @Test
  void aCommandEnqueuedAfterTheEventLoopShutDownIsDiscardedNotThrown() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    Channel dead = new LocalChannel();
    group.register(dead).sync();
    dead.close().sync();
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    WriteQueue deadQueue = new WriteQueue(dead);
    ByteBuf owned = Unpooled.buffer(4).writeInt(7);

    deadQueue.enqueue(new WriteQueue.Command() {
      @Override
      public void run() {
        ran.add("ran");
      }

      @Override
      public void discard() {
        owned.release();
      }
    });
    deadQueue.enqueueLazily(() -> ran.add("lazy ran"));
    deadQueue.expedite();

    assertTrue(ran.isEmpty(), "nothing runs on a loop that is gone");
    assertEquals(0, owned.refCnt(), "the command released what it owned");
  }
}
