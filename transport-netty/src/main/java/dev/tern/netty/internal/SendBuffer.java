package dev.tern.netty.internal;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;

/**
 * One call's outbound bytes, from {@code sendMessage} until Netty reports them written to the
 * socket, and what they mean for readiness and memory.
 *
 * <p><b>Readiness</b> ({@link #isReady}) holds while all three are true:
 * <ol>
 *   <li>fewer than {@link #ON_READY_THRESHOLD} bytes are on their way from the application to
 *       the event loop;
 *   <li>of the bytes handed to Netty, fewer than {@code ON_READY_THRESHOLD} exceed what the
 *       stream's send window (the peer's window, RFC 9113 §6.9) covers: bytes the window covers
 *       leave at once, the rest wait for the peer to read. Bytes written to the channel but not
 *       yet to the socket count as waiting too, so a congested connection also holds senders;
 *   <li>fewer than {@code limit} bytes are held in all (so a ready sender never blocks).
 * </ol>
 * A sender that respects readiness keeps about one window in flight: a long link stays busy, a
 * peer that stops reading stops the sender after one window, and another stream's backlog never
 * holds this one (Netty's own stream writability also counts the connection's total backlog,
 * which would let one stalled call stop every other; hence this count per stream). Each
 * condition is tracked on the event loop as it clears, which is when {@code onReady} fires.
 *
 * <p><b>Memory</b> ({@link #awaitRoom}): at {@code limit} held bytes the sender waits: the
 * sending thread blocks until bytes drain or the call ends. An event-loop thread must never
 * block, so there the caller fails the call instead. Memory per call is thus bounded by the
 * limit plus one message, whatever the application does.
 *
 * <p>Thread-safe: application threads add; the event loop hands off, writes and drops.
 */
final class SendBuffer {
  /** Bytes on their way, or waiting for the peer's window, above which a call is not ready. */
  static final int ON_READY_THRESHOLD = 32 * 1024;

  /** What {@link #awaitRoom} found. */
  enum Room { AVAILABLE, CALL_ENDED, CANNOT_BLOCK, INTERRUPTED }

  // Counters updated through VarHandles on plain fields: no atomic objects per call.
  private static final VarHandle HELD;
  private static final VarHandle IN_HANDOFF;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      HELD = lookup.findVarHandle(SendBuffer.class, "held", int.class);
      IN_HANDOFF = lookup.findVarHandle(SendBuffer.class, "inHandoff", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Everything not yet written to the socket. */
  private volatile int held;
  /** Queued by the application, not yet handed to Netty. */
  private volatile int inHandoff;
  /** Handed to Netty, not yet written to the socket. Event loop only. */
  private int inNetty;
  private final int limit;
  /** Whether the bytes in Netty beyond the stream window are below the threshold. */
  private volatile boolean windowOk = true;
  private volatile int waiters;

  SendBuffer(int limit) {
    this.limit = limit;
  }

  boolean isReady() {
    return windowOk && inHandoff < ON_READY_THRESHOLD && held < limit;
  }

  int heldBytes() {
    return held;
  }

  /** Whether a message may be added without waiting (the common case; no allocation). */
  boolean hasRoom() {
    return held < limit;
  }

  /**
   * Waits until fewer than {@code limit} bytes are held, the call ends ({@code ended} turns
   * true; {@link #wake} is called then) or the thread is interrupted (its flag is kept). Does
   * not wait on a Netty event-loop thread: that thread is the one that would drain the bytes.
   */
  Room awaitRoom(BooleanSupplier ended) {
    if (held < limit) {
      return Room.AVAILABLE;
    }
    if (onNonBlockingThread()) {
      return Room.CANNOT_BLOCK;
    }
    synchronized (this) {
      waiters++;
      try {
        while (held >= limit) {
          if (ended.getAsBoolean()) {
            return Room.CALL_ENDED;
          }
          // Woken by sent() or wake(); the timeout only guards against a missed wake-up.
          wait(1000);
        }
        return Room.AVAILABLE;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Room.INTERRUPTED;
      } finally {
        waiters--;
      }
    }
  }

  /**
   * Whether the current thread must not block: Netty's event-loop threads say so through
   * {@link FastThreadLocalThread#permitBlockingCalls()} (the public signal Netty's own blocking
   * checks use), so this needs no internal Netty API.
   */
  private static boolean onNonBlockingThread() {
    Thread t = Thread.currentThread();
    return t instanceof FastThreadLocalThread && !((FastThreadLocalThread) t).permitBlockingCalls();
  }

  /** The application queued {@code bytes} for sending. */
  void add(int bytes) {
    HELD.getAndAdd(this, bytes);
    IN_HANDOFF.getAndAdd(this, bytes);
  }

  /**
   * Event loop: {@code bytes} were handed to Netty; {@code window} is the stream's send window
   * now (0 if the stream has none yet). Returns whether the call just became ready.
   */
  boolean handedOff(int bytes, int window) {
    int after = (int) IN_HANDOFF.getAndAdd(this, -bytes) - bytes;
    inNetty += bytes;
    boolean crossed = after < ON_READY_THRESHOLD && after + bytes >= ON_READY_THRESHOLD;
    return (updateWindowOk(window) | crossed) && isReady();
  }

  /**
   * Event loop: {@code bytes} handed to Netty were written to the socket (or failed); returns
   * whether the call just became ready.
   */
  boolean sent(int bytes, int window) {
    inNetty -= bytes;
    int after = (int) HELD.getAndAdd(this, -bytes) - bytes;
    if (waiters > 0 && after < limit) {
      wake();
    }
    boolean crossed = after < limit && after + bytes >= limit;
    return (updateWindowOk(window) | crossed) && isReady();
  }

  /** Event loop: {@code bytes} were dropped before reaching Netty (the call ended). */
  void dropped(int bytes) {
    IN_HANDOFF.getAndAdd(this, -bytes);
    int after = (int) HELD.getAndAdd(this, -bytes) - bytes;
    if (waiters > 0 && after < limit) {
      wake();
    }
  }

  /** Recomputes the window condition; returns whether it just turned true. */
  private boolean updateWindowOk(int window) {
    boolean ok = inNetty - Math.max(0, window) < ON_READY_THRESHOLD;
    boolean was = windowOk;
    windowOk = ok;
    return ok && !was;
  }

  /** Wakes blocked senders, e.g. because the call ended. */
  void wake() {
    if (waiters > 0) {
      synchronized (this) {
        notifyAll();
      }
    }
  }
}
