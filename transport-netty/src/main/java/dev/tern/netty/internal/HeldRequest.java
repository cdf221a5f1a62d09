package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;

/**
 * The request of a server call whose client sends one message (unary and server-streaming
 * methods) on a thread pool, read ahead on the event loop so that the handler's first callbacks
 * run in one executor task: the event loop reads the message and the end of the stream before
 * the call starts, then one task runs {@code startCall}, {@code onMessage} and
 * {@code onHalfClose}. The application's {@code request(n)} releases what is held here (the
 * handler still sees nothing it did not ask for) instead of a round trip to the event loop.
 *
 * <p>Bounded: the event loop asks the reader for {@link #READ_AHEAD} messages only (one, plus a
 * second to notice a client that sends too many), each under the call's inbound size limit.
 *
 * <p>Thread-safe: the event loop adds, the application adds credit from any thread, the callback
 * thread takes; all under this object's monitor. Whoever takes a message owns its buffer.
 */
final class HeldRequest {
  /** Messages the event loop reads before the application asks. */
  static final int READ_AHEAD = 2;

  /** What {@link #take} found. */
  enum Next { MESSAGE, HALF_CLOSE, NONE }

  // A ring; it grows only for a client that sends more than one message to an application that
  // asked for more (bounded by what the application asked for).
  private ByteBuf[] messages = new ByteBuf[READ_AHEAD];
  private boolean[] compressed = new boolean[READ_AHEAD];
  private int[] wireSizes = new int[READ_AHEAD];
  private int head;
  private int count;
  private boolean ended;
  private boolean endTaken;
  private boolean released;
  /** Messages the application asked for and has not been given. */
  private long credit;
  /** All the application asked for; beyond READ_AHEAD it goes to the reader. */
  private long requested;

  // What take() returned last (callback thread, read right after take under no contention).
  private ByteBuf takenMessage;
  private boolean takenCompressed;
  private int takenWireSize;

  /**
   * Event loop: a message arrived; returns how many are held now, or -1 (and the caller releases
   * it) if the call ended.
   */
  synchronized int hold(ByteBuf message, boolean isCompressed, int wireSize) {
    if (released) {
      return -1;
    }
    if (count == messages.length) {
      grow();
    }
    int i = (head + count) % messages.length;
    messages[i] = message;
    compressed[i] = isCompressed;
    wireSizes[i] = wireSize;
    count++;
    return count;
  }

  private void grow() {
    int n = messages.length;
    ByteBuf[] m = new ByteBuf[n * 2];
    boolean[] c = new boolean[n * 2];
    int[] w = new int[n * 2];
    for (int i = 0; i < count; i++) {
      int at = (head + i) % n;
      m[i] = messages[at];
      c[i] = compressed[at];
      w[i] = wireSizes[at];
    }
    messages = m;
    compressed = c;
    wireSizes = w;
    head = 0;
  }

  /** Event loop: the client ended the stream after the messages held. */
  synchronized void end() {
    ended = true;
  }

  /**
   * The application asks for {@code n} more messages; returns how many the reader must now be
   * asked for beyond those read ahead.
   */
  synchronized int credit(int n) {
    credit += n;
    long before = requested;
    requested += n;
    return (int) Math.min(Integer.MAX_VALUE,
        Math.max(0, requested - READ_AHEAD) - Math.max(0, before - READ_AHEAD));
  }

  /**
   * Callback thread: the next thing to deliver, if the application asked for it; a message is
   * then in {@link #message()} (owned by the caller) with {@link #compressed()} and
   * {@link #wireSize()}. The half-close follows the held messages, once.
   */
  synchronized Next take() {
    if (released) {
      return Next.NONE;
    }
    if (count > 0) {
      if (credit == 0) {
        return Next.NONE;
      }
      credit--;
      takenMessage = messages[head];
      takenCompressed = compressed[head];
      takenWireSize = wireSizes[head];
      messages[head] = null;
      head = (head + 1) % messages.length;
      count--;
      return Next.MESSAGE;
    }
    if (ended && !endTaken) {
      endTaken = true;
      return Next.HALF_CLOSE;
    }
    return Next.NONE;
  }

  ByteBuf message() {
    ByteBuf m = takenMessage;
    takenMessage = null;
    return m;
  }

  boolean compressed() {
    return takenCompressed;
  }

  int wireSize() {
    return takenWireSize;
  }

  /** Drops what is held: the call ended. Idempotent; later messages are refused. */
  synchronized void release() {
    released = true;
    for (int i = 0; i < count; i++) {
      int at = (head + i) % messages.length;
      messages[at].release();
      messages[at] = null;
    }
    count = 0;
  }
}
