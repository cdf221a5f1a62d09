package dev.tern.netty.internal;

import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Moves writes from application threads onto a connection's event loop in batches: commands are
 * queued from any thread and run together in one event-loop task that flushes once at the end,
 * so a burst of messages costs one task and one syscall instead of one each. Thread-safe:
 * {@link #enqueue} from any thread; the drain runs on the event loop.
 */
public final class WriteQueue {
  /** Work that must run on the event loop. */
  public interface Command {
    void run();
  }

  private static final int MAX_COMMANDS_PER_FLUSH = 128;

  private final Channel channel;
  // Many producers, one consumer (the event loop): an array-backed MPSC queue allocates nothing
  // per command, unlike a linked queue's node.
  private final Queue<Command> queue = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  // Private, so that only the event loop runs the drain (the class exposes no Runnable.run).
  private final Runnable drain = this::drain;

  public WriteQueue(Channel channel) {
    this.channel = channel;
  }

  /** Queues {@code command} to run on the event loop, followed by a flush. */
  public void enqueue(Command command) {
    queue.add(command);
    if (scheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
  }

  /** Drains the queue; runs on the event loop. */
  private void drain() {
    try {
      int n = 0;
      Command c;
      while ((c = queue.poll()) != null) {
        c.run();
        // Flush periodically so one busy producer cannot hold a huge batch back.
        if (++n == MAX_COMMANDS_PER_FLUSH) {
          channel.flush();
          n = 0;
        }
      }
      if (n > 0) {
        channel.flush();
      }
    } finally {
      scheduled.set(false);
    }
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
  }
}
