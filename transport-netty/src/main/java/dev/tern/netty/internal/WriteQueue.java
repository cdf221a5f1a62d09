package dev.tern.netty.internal;

import io.netty.channel.Channel;
import java.util.ArrayList;
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
  // Many producers, one consumer (the event loop). Two lists swapped under a lock: producers add
  // to `pending`, the drain takes the whole batch in one swap and runs it outside the lock. No
  // allocation per command (unlike a linked queue's node), and only public JDK API (Netty's MPSC
  // queues live in its internal package).
  private final Object lock = new Object();
  private ArrayList<Command> pending = new ArrayList<>(); // guarded by lock
  private ArrayList<Command> running = new ArrayList<>(); // event loop only
  private final AtomicBoolean scheduled = new AtomicBoolean();
  // Private, so that only the event loop runs the drain (the class exposes no Runnable.run).
  private final Runnable drain = this::drain;

  public WriteQueue(Channel channel) {
    this.channel = channel;
  }

  /** Queues {@code command} to run on the event loop, followed by a flush. */
  public void enqueue(Command command) {
    synchronized (lock) {
      pending.add(command);
    }
    if (scheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
  }

  /** Drains the queue; runs on the event loop. */
  private void drain() {
    RuntimeException failure = null;
    try {
      int n = 0;
      ArrayList<Command> batch;
      while ((batch = takeBatch()) != null) {
        for (int i = 0; i < batch.size(); i++) {
          try {
            batch.get(i).run();
          } catch (RuntimeException e) {
            // The rest of the batch still runs (its commands own buffers); the first failure
            // goes to the event loop once the batch is flushed.
            if (failure == null) {
              failure = e;
            }
          }
          // Flush periodically so one busy producer cannot hold a huge batch back.
          if (++n == MAX_COMMANDS_PER_FLUSH) {
            channel.flush();
            n = 0;
          }
        }
        batch.clear();
      }
      if (n > 0) {
        channel.flush();
      }
    } finally {
      scheduled.set(false);
    }
    if (hasPending() && scheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Swaps the producers' list for the drained one; null when nothing is pending. */
  private ArrayList<Command> takeBatch() {
    synchronized (lock) {
      if (pending.isEmpty()) {
        return null;
      }
      ArrayList<Command> batch = pending;
      pending = running;
      running = batch;
      return batch;
    }
  }

  private boolean hasPending() {
    synchronized (lock) {
      return !pending.isEmpty();
    }
  }
}
