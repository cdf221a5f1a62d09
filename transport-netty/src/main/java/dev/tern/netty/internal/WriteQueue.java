package dev.tern.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves writes from application threads onto a connection's event loop in batches: commands are
 * queued from any thread and run together in one event-loop task that flushes once at the end,
 * so a burst of messages costs one task and one syscall instead of one each.
 *
 * <p>A command enqueued on the event loop while its connection handler reads (between
 * {@link #readStarted} and {@link #readEnded}: a handler running inline answering a request) is
 * kept, if nothing is queued before it, and run when that read ends, before the handler's
 * read-complete flush (Http2ConnectionHandler's) sends what it wrote: an echo costs no task and no
 * second flush, and messages sent during one read still leave as one batch. Only for owners that
 * call the read hooks.
 *
 * <p>{@link #enqueueLazily} queues a command that may wait for the loop's next wake-up (Netty's
 * {@code lazyExecute}): for callers that know something else will wake the loop when it matters,
 * or call {@link #expedite}.
 *
 * <p>Once the event loop has shut down (its channel is closed by then, its calls ended), a command
 * enqueued is {@linkplain Command#discard discarded} instead: the enqueuer, often an application
 * thread still sending on a call the shutdown ended, is not thrown at, and nothing leaks.
 *
 * <p>Thread-safe: {@link #enqueue} from any thread; the drain and the read hooks run on the
 * event loop.
 */
public final class WriteQueue {
  /** Work that must run on the event loop. */
  public interface Command {
    void run();

    /**
     * The event loop has shut down and will never run this command: release what it owns
     * (buffers, send-buffer accounting). Runs on the enqueuing thread; nothing by default.
     */
    default void discard() { }
  }

  private static final int MAX_COMMANDS_PER_FLUSH = 128;
  private static final System.Logger LOG = System.getLogger(WriteQueue.class.getName());

  /** Whether a drain task is due, and whether it wakes the loop. */
  private enum Drain {
    /** No drain due or running: the next command schedules one. */
    IDLE,
    /** A drain is queued without waking the loop: it runs when the loop next wakes up. */
    LAZY,
    /** A drain is queued to run at once, or is running. */
    EAGER
  }

  /** Whether a command enqueued on the event loop may wait for the read's end. Event loop only. */
  private enum Inline {
    /** Not in a read: commands go through the queue (a task, then a flush). */
    OFF,
    /** In the handler's read, whose read-complete flush follows: a command joins the read's. */
    IN_READ,
    /** The read's commands are running: one they enqueue waits its turn in the queue. */
    RUNNING
  }

  private final Channel channel;
  // Many producers, one consumer (the event loop). Two lists swapped under a lock: producers add
  // to `pending`, the drain takes the whole batch in one swap and runs it outside the lock. No
  // allocation per command (unlike a linked queue's node), and only public JDK API (Netty's MPSC
  // queues live in its internal package).
  private final Object lock = new Object();
  private ArrayList<Command> pending = new ArrayList<>(); // guarded by lock
  private ArrayList<Command> running = new ArrayList<>(); // event loop only
  private final AtomicReference<Drain> drainState = new AtomicReference<>(Drain.IDLE);
  // Private, so that only the event loop runs the drain (the class exposes no Runnable.run).
  private final Runnable drain = this::drain;
  private Inline inline = Inline.OFF; // event loop only
  /** Commands enqueued during the current read, run when it ends. Event loop only. */
  private final ArrayList<Command> readCommands = new ArrayList<>();

  public WriteQueue(Channel channel) {
    this.channel = channel;
  }

  /** Queues {@code command} to run on the event loop, followed by a flush. */
  public void enqueue(Command command) {
    // inEventLoop first: `inline` is the event loop's. IDLE on the event loop means no drain is
    // running or due, so nothing enqueued before this command is still waiting.
    if (channel.eventLoop().inEventLoop() && inline == Inline.IN_READ
        && drainState.get() == Drain.IDLE) {
      readCommands.add(command);
      return;
    }
    synchronized (lock) {
      pending.add(command);
    }
    schedule(Drain.EAGER);
  }

  /**
   * Queues {@code command} without waking the loop: it runs with the next drain, at the latest
   * when the loop next wakes up (for I/O or another task), or once {@link #expedite} is called.
   */
  public void enqueueLazily(Command command) {
    synchronized (lock) {
      pending.add(command);
    }
    schedule(Drain.LAZY);
  }

  /** Makes a lazily queued drain run now (wakes the loop); nothing if none is waiting. */
  public void expedite() {
    if (drainState.compareAndSet(Drain.LAZY, Drain.EAGER)) {
      // A second drain that wakes the loop; whichever runs first takes every command.
      execute(channel.eventLoop(), drain);
    }
  }

  /** Tests: whether the queued commands wait for the loop's next wake-up (a lazy drain). */
  boolean waitsForWakeUp() {
    return drainState.get() == Drain.LAZY;
  }

  /** Queues a drain of kind {@code want} unless one at least as prompt is due. */
  private void schedule(Drain want) {
    for (;;) {
      Drain now = drainState.get();
      if (now == Drain.EAGER || now == want) {
        return;
      }
      if (drainState.compareAndSet(now, want)) {
        EventLoop loop = channel.eventLoop();
        if (want == Drain.LAZY && loop instanceof SingleThreadEventExecutor lazy) {
          try {
            lazy.lazyExecute(drain);
          } catch (RejectedExecutionException e) {
            discardPending();
          }
        } else {
          // From LAZY, a second drain that wakes the loop; whichever runs first takes every
          // command, the other finds none.
          execute(loop, drain);
        }
        return;
      }
    }
  }

  /**
   * Event loop: the owner's handler starts reading (channelRead); its channelReadComplete, which
   * follows every read, flushes what the read's commands wrote.
   */
  public void readStarted() {
    inline = Inline.IN_READ;
  }

  /** Event loop: the read ends (channelRead returns, normally or not): runs its commands. */
  public void readEnded() {
    inline = Inline.RUNNING;
    try {
      for (int i = 0; i < readCommands.size(); i++) {
        try {
          readCommands.get(i).run();
        } catch (RuntimeException e) {
          // As from the drain: the enqueuer is not told (it may be the application), the rest
          // still run (their commands own buffers).
          LOG.log(System.Logger.Level.WARNING, "A write command failed", e);
        }
      }
    } finally {
      readCommands.clear();
      inline = Inline.OFF;
    }
  }

  /** Hands the drain to the loop; if the loop has shut down, discards what is queued. */
  private void execute(EventLoop loop, Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      discardPending();
    }
  }

  /**
   * The loop has shut down: no drain will run. Discards every queued command and lets the next
   * enqueuer try (and discard) again; a drain already queued before the shutdown ran before the
   * loop terminated (Netty runs the tasks it accepted).
   */
  private void discardPending() {
    drainState.set(Drain.IDLE);
    ArrayList<Command> batch;
    synchronized (lock) {
      // A fresh list, not the drain's swap: several enqueuers may discard at once, and
      // `running` belongs to the (gone) event loop.
      batch = pending;
      pending = new ArrayList<>();
    }
    for (int i = 0; i < batch.size(); i++) {
      try {
        batch.get(i).discard();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "Discarding a write command failed", e);
      }
    }
  }

  /** Drains the queue; runs on the event loop. */
  private void drain() {
    drainState.set(Drain.EAGER); // running: producers need not schedule another
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
      drainState.set(Drain.IDLE);
    }
    if (hasPending()) {
      schedule(Drain.EAGER);
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
