package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * The response messages of one streaming client call whose callbacks run on an executor, from
 * the attempt that read them ahead ({@link AttemptResponse}) until the application requests them:
 * a {@code request(n)} made while messages wait here is met on the callback thread, in the same
 * executor task, instead of costing a round trip to the event loop (and back) per message.
 *
 * <p>What the application took goes back to the attempt in batches ({@link
 * ClientAttempt#handedOut}: the messages, their window credit and any requests for more made
 * meanwhile): one event-loop command per drained batch, or per {@link #REPORT_BYTES} of credit
 * or {@link #REPORT_MESSAGES} messages in a long one, so the peer's window keeps moving while a
 * batch runs. The command waits for the loop's next wake-up unless the credit is needed sooner
 * (see {@link AttemptResponse.Urgency}).
 *
 * <p>Bounded: the attempt hands over at most {@link #READ_AHEAD} messages more than were
 * requested, and only whole ones its window already let in.
 *
 * <p>Thread rule: {@link #arrived}, the drain and {@link #close} run as the call's serialized
 * callbacks; {@link #request} from any thread. The queue, the demand and what is owed to the
 * attempt are guarded by this object's monitor, never held while calling out.
 */
final class ResponseInbox {
  /**
   * Messages an attempt may hand over beyond those requested: enough that a batch of small
   * messages costs one executor task and one event-loop command, few enough to stay a small
   * queue (the bytes are bounded by the window anyway).
   */
  static final int READ_AHEAD = 64;
  /** Report after this much credit within a batch, so the window moves while it runs. */
  static final int REPORT_BYTES = 16 * 1024;
  /** ... or after this many messages (small messages owe little credit each). */
  static final int REPORT_MESSAGES = READ_AHEAD / 2;

  /** What the inbox needs from its call. */
  interface Call {
    /** Decodes and hands {@code message} to the listener (callback thread); releases it. */
    void deliver(Arrival message);

    /** Runs {@code task} as one of the call's callbacks, after those dispatched before. */
    void dispatch(Runnable task);

    /**
     * Tells {@code attempt} what the application took and asked for since the last report
     * ({@link ClientAttempt#handedOut}).
     */
    default void report(ClientAttempt attempt, int messages, int credit, int requests) {
      attempt.handedOut(messages, credit, requests);
    }
  }

  /**
   * One response message; also the callback that brings it to the listener: through the inbox
   * if it was read ahead, else straight.
   */
  static final class Arrival implements CallbackDispatcher.Owning {
    /** The call's inbox for a message read ahead; null for one delivered straight. */
    final ResponseInbox inbox;
    final Call call;
    final ClientAttempt from;
    final ByteBuf message;
    final boolean compressed;
    final int wireSize;
    final int seqNo;
    final int credit;

    Arrival(ResponseInbox inbox, Call call, ClientAttempt from, ByteBuf message,
        boolean compressed, int wireSize, int seqNo, int credit) {
      this.inbox = inbox;
      this.call = call;
      this.from = from;
      this.message = message;
      this.compressed = compressed;
      this.wireSize = wireSize;
      this.seqNo = seqNo;
      this.credit = credit;
    }

    @Override
    public void run() {
      if (inbox != null) {
        inbox.arrived(this);
      } else {
        call.deliver(this);
      }
    }

    @Override
    public void dropped() {
      message.release();
    }
  }

  private final Call call;
  private final Runnable drainTask = this::drain;

  // Guarded by this.
  private final ArrayDeque<Arrival> held = new ArrayDeque<>(8);
  /** Messages the application asked for and has not received. */
  private int demand;
  /** Whether a drain is running or dispatched; then nothing else starts one. */
  private boolean draining;
  private boolean closed;
  /** The attempt the messages came from (the committed one), and what was taken of them. */
  private ClientAttempt source;
  private int owedMessages;
  private int owedCredit;
  /** Requests made during a drain, sent with its report. */
  private int owedRequests;

  ResponseInbox(Call call) {
    this.call = call;
  }

  /**
   * The application asks for {@code n} more messages. Returns how many of them the transport
   * must be asked for now (0 when messages waiting here, or a drain's report, cover them).
   */
  int request(int n) {
    boolean schedule = false;
    synchronized (this) {
      if (closed) {
        return 0;
      }
      demand = (int) Math.min(Integer.MAX_VALUE, (long) demand + n);
      int forward = Math.max(0, Math.min(n, demand - held.size()));
      if (draining) {
        owedRequests = (int) Math.min(Integer.MAX_VALUE, (long) owedRequests + forward);
        return 0;
      }
      if (!held.isEmpty()) {
        draining = schedule = true;
      }
      if (!schedule) {
        return forward;
      }
      owedRequests = (int) Math.min(Integer.MAX_VALUE, (long) owedRequests + forward);
    }
    call.dispatch(drainTask);
    return 0;
  }

  /** Callback thread: a message read ahead arrived. */
  void arrived(Arrival message) {
    synchronized (this) {
      if (closed) {
        message.message.release();
        return;
      }
      source = message.from;
      held.add(message);
      if (draining) {
        return;
      }
      draining = true;
    }
    drain();
  }

  /** Callback thread: hands out held messages while the application wants them, then reports. */
  private void drain() {
    try {
      handOut();
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        draining = false; // the listener threw: the call is being cancelled
      }
      throw e;
    } finally {
      report();
    }
  }

  private void handOut() {
    while (true) {
      Arrival next;
      synchronized (this) {
        if (closed || held.isEmpty() || demand == 0) {
          draining = false;
          break;
        }
        next = held.poll();
        demand--;
      }
      try {
        call.deliver(next);
      } finally {
        boolean report;
        synchronized (this) {
          owedMessages++;
          owedCredit += next.credit;
          report = owedCredit >= REPORT_BYTES || owedMessages >= REPORT_MESSAGES;
        }
        if (report) {
          report();
        }
      }
    }
  }

  /** Gives the attempt what the application took (and asked for) since the last report. */
  private void report() {
    ClientAttempt to;
    int messages;
    int credit;
    int requests;
    synchronized (this) {
      to = source;
      messages = owedMessages;
      credit = owedCredit;
      requests = owedRequests;
      owedMessages = 0;
      owedCredit = 0;
      owedRequests = 0;
    }
    if (messages > 0 || requests > 0) {
      call.report(to, messages, credit, requests);
    }
  }

  /** Callback thread: the call ended; releases what is held. Nothing is delivered after. */
  synchronized void close() {
    closed = true;
    Arrival a;
    while ((a = held.poll()) != null) {
      a.message.release();
    }
  }
}
