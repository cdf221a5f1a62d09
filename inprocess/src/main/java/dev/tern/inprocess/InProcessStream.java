package dev.tern.inprocess;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What one in-process call's client and server share: its {@link CallState}, and one bounded
 * pipe per direction holding what was sent and not yet delivered. The in-process counterpart of
 * an HTTP/2 stream: messages wait in a pipe until the receiver {@code request}s them (as bytes
 * wait for a window), the half-close and the server's trailers queue behind the messages sent
 * before them, and a cancellation drops everything queued and tells both sides at once.
 *
 * <p>Flow control: a side is ready while fewer than its buffer limit of its messages are
 * undelivered (queued, or handed to the receiver's listener which has not returned yet). A
 * sender that ignores readiness blocks in {@code send} until the receiver catches up or the call
 * ends, so no pipe ever holds more than its sender's limit; a thread running a
 * {@code directExecutor()} callback never blocks (it may be the one that must deliver), so there
 * the call fails with RESOURCE_EXHAUSTED instead.
 *
 * <p>Thread-safe: every field is guarded by {@code lock}; events are queued on the sides'
 * serializing executors under the lock (so each side hears them in order) and run only after
 * the thread leaves it ({@link CallbackExecutor}).
 */
final class InProcessStream {
  /** The client half-closed: queued behind the requests sent before it. */
  private static final Object HALF_CLOSE = new Object() {
    @Override
    public String toString() {
      return "half-close";
    }
  };

  /** The server's response headers, queued (they need no request). */
  private record Headers(Metadata headers) {}

  /** The server's status and trailers, queued behind its last response. */
  private record Trailers(Status status, Metadata trailers) {}

  /** A message serialized by the sender's marshaller, parsed by the receiver's. */
  record Serialized(ByteBuf bytes) {}

  /** Receives the client's events, on the client's serializing executor. */
  interface ClientSide {
    void headers(Metadata headers);

    void message(Object item);

    void closed(Status status, Metadata trailers);

    void ready();
  }

  /** Receives the server's events, on the server's serializing executor. */
  interface ServerSide {
    void message(Object item);

    void halfClosed();

    void cancelled(Status status);

    /** The call is being cancelled: called on the cancelling thread, outside the lock. */
    void cancelContext(Status status);

    void completed();

    void ready();
  }

  /** One direction: what was sent and not yet delivered, and what the receiver asked for. */
  private static final class Pipe {
    final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** The sender's buffer limit: it is ready while fewer messages than this are undelivered. */
    int limit;
    /** Messages the receiver asked for and has not been given. */
    int requested;
    /** Messages queued or given to the receiver's listener that has not returned yet. */
    int undelivered;
  }

  private final Object lock = new Object();
  private final Executor clientCallbacks;
  private Executor serverCallbacks;
  private final Pipe toServer = new Pipe();
  private final Pipe toClient = new Pipe();
  private ClientSide client;
  private ServerSide server;
  private volatile CallState state = CallState.NEW;
  /** What the client must hear if the call was cancelled before {@link #open} attached it. */
  private Status cancelledBeforeOpen;

  /** {@code clientBufferLimit}: how many requests may be undelivered before the client waits. */
  InProcessStream(int clientBufferLimit, Executor clientCallbacks) {
    this.toServer.limit = clientBufferLimit;
    this.clientCallbacks = clientCallbacks;
  }

  CallState state() {
    return state;
  }

  // ---------------------------------------------------------------- locking

  private <T> T locked(Supplier<T> body) {
    CallbackExecutor.enter();
    try {
      synchronized (lock) {
        return body.get();
      }
    } finally {
      CallbackExecutor.exit();
    }
  }

  private void lockedRun(Runnable body) {
    locked(() -> {
      body.run();
      return null;
    });
  }

  /** Moves to {@code next} if the state table allows it. Holding the lock. */
  private boolean moveTo(CallState next) {
    if (!state.canMoveTo(next)) {
      return false;
    }
    state = next;
    if (next != CallState.OPEN) {
      // A sender blocked on a full pipe re-checks whether it may still send.
      lock.notifyAll();
    }
    return true;
  }

  // ---------------------------------------------------------------- start and end

  /**
   * Starts the call: the server's {@code start} runs first on the server's executor, then the
   * sides hear their events. Returns false if the call ended before it started.
   */
  boolean open(ClientSide clientSide, ServerSide serverSide, Executor serverExecutor,
      int serverBufferLimit, Runnable startServer) {
    return locked(() -> {
      if (!moveTo(CallState.OPEN)) {
        Status early = cancelledBeforeOpen;
        if (early != null) {
          // Cancelled between the server's accept and here (its deadline timer runs from
          // accept): the client was not attached then, so it hears the status now.
          cancelledBeforeOpen = null;
          clientCallbacks.execute(() -> clientSide.closed(early, new Metadata()));
        }
        return false;
      }
      toClient.limit = serverBufferLimit;
      client = clientSide;
      server = serverSide;
      serverCallbacks = serverExecutor;
      serverCallbacks.execute(startServer);
      serverCallbacks.execute(serverSide::ready);
      clientCallbacks.execute(clientSide::ready);
      return true;
    });
  }

  /** Ends a call that never reached a server: the client hears {@code status}. */
  void endBeforeStart(ClientSide clientSide, Status status) {
    lockedRun(() -> {
      if (moveTo(CallState.DONE)) {
        clientCallbacks.execute(() -> clientSide.closed(status, new Metadata()));
      }
    });
  }

  /**
   * Ends the call early: the client hears {@code forClient} and the server, if its handler still
   * has the call, {@code forServer} (its context is cancelled at once, before the listener hears
   * it, so a handler busy on its thread sees it); queued messages are dropped. Returns false if
   * the call had already ended. Any thread.
   */
  boolean cancel(Status forClient, Status forServer) {
    ServerSide[] toCancel = new ServerSide[1];
    Executor[] serverExecutor = new Executor[1];
    boolean cancelled = locked(() -> {
      CallState before = state;
      if (!moveTo(CallState.CANCELLED)) {
        return false;
      }
      drop(toServer);
      drop(toClient);
      if (client != null) {
        ClientSide c = client;
        clientCallbacks.execute(() -> c.closed(forClient, new Metadata()));
      } else {
        cancelledBeforeOpen = forClient;
      }
      if (server != null && before.serverLive()) {
        toCancel[0] = server;
        serverExecutor[0] = serverCallbacks;
      }
      return true;
    });
    if (toCancel[0] != null) {
      // The context first, outside the lock (its listeners are the application's code), then the
      // listener: on a pool, onCancel (and the context's close after it) could otherwise run
      // before the cancellation and leave the context closed without its cause. Nothing else is
      // queued for the server once the state is CANCELLED.
      ServerSide s = toCancel[0];
      s.cancelContext(forServer);
      serverExecutor[0].execute(() -> s.cancelled(forServer));
    }
    return cancelled;
  }

  private static void drop(Pipe pipe) {
    Object item;
    while ((item = pipe.queue.poll()) != null) {
      release(item);
    }
    pipe.requested = 0;
  }

  /** Releases what a message holds, if it was serialized. */
  static void release(Object item) {
    if (item instanceof Serialized s) {
      s.bytes().release();
    }
  }

  // ---------------------------------------------------------------- client → server

  /** What {@link #send} did with a message. */
  enum SendResult {
    /** Queued for the receiver. */
    QUEUED,
    /** The call had ended or the sender may no longer send: dropped (and released). */
    DROPPED,
    /** The pipe was full on a thread that must not block: dropped; the caller fails the call. */
    OVERRUN
  }

  SendResult clientSend(Object item) throws InterruptedException {
    return send(toServer, item, true);
  }

  void halfClose() {
    lockedRun(() -> {
      if (moveTo(CallState.HALF_CLOSED)) {
        toServer.queue.add(HALF_CLOSE);
        pump(toServer);
      }
    });
  }

  void clientRequest(int n) {
    request(toClient, n);
  }

  boolean clientReady() {
    return locked(() -> state.clientMaySend() && toServer.undelivered < toServer.limit);
  }

  /** The server's listener returned from a request message: the client may send one more. */
  void deliveredToServer() {
    delivered(toServer, true);
  }

  // ---------------------------------------------------------------- server → client

  void serverSendHeaders(Metadata headers) {
    lockedRun(() -> {
      if (state.serverLive()) {
        toClient.queue.add(new Headers(headers));
        pump(toClient);
      }
    });
  }

  SendResult serverSend(Object item) throws InterruptedException {
    return send(toClient, item, false);
  }

  /**
   * The server closes the call: the client hears the status after the responses already sent;
   * requests not yet delivered are dropped. Returns false if the call had already ended.
   */
  boolean serverClose(Status status, Metadata trailers) {
    return locked(() -> {
      if (!moveTo(CallState.SERVER_CLOSED)) {
        return false;
      }
      drop(toServer);
      toClient.queue.add(new Trailers(status, trailers));
      pump(toClient);
      ServerSide s = server;
      serverCallbacks.execute(s::completed);
      return true;
    });
  }

  void serverRequest(int n) {
    request(toServer, n);
  }

  boolean serverReady() {
    return locked(() -> state.serverLive() && toClient.undelivered < toClient.limit);
  }

  /** The client's listener returned from a response: the server may send one more. */
  void deliveredToClient() {
    delivered(toClient, false);
  }

  // ---------------------------------------------------------------- the pipes

  private boolean senderMaySend(boolean fromClient) {
    return fromClient ? state.clientMaySend() : state.serverLive();
  }

  private SendResult send(Pipe pipe, Object item, boolean fromClient)
      throws InterruptedException {
    CallbackExecutor.enter();
    try {
      synchronized (lock) {
        while (senderMaySend(fromClient) && pipe.undelivered >= pipe.limit) {
          if (CallbackExecutor.inDirectCallback()) {
            release(item);
            return SendResult.OVERRUN;
          }
          try {
            lock.wait();
          } catch (InterruptedException e) {
            release(item);
            throw e;
          }
        }
        if (!senderMaySend(fromClient)) {
          release(item);
          return SendResult.DROPPED;
        }
        pipe.queue.add(item);
        pipe.undelivered++;
        pump(pipe);
        return SendResult.QUEUED;
      }
    } finally {
      CallbackExecutor.exit();
    }
  }

  private void request(Pipe pipe, int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("numMessages must be positive: " + n);
    }
    lockedRun(() -> {
      if (!state.isTerminal()) {
        // Saturates: request(Integer.MAX_VALUE) twice means "everything", not an overflow.
        pipe.requested = (int) Math.min(Integer.MAX_VALUE, (long) pipe.requested + n);
        pump(pipe);
      }
    });
  }

  private void delivered(Pipe pipe, boolean toServerPipe) {
    lockedRun(() -> {
      pipe.undelivered--;
      lock.notifyAll();
      if (pipe.undelivered == pipe.limit - 1) {
        // The sender just became ready again.
        if (toServerPipe && state.clientMaySend()) {
          ClientSide c = client;
          clientCallbacks.execute(c::ready);
        } else if (!toServerPipe && state.serverLive()) {
          ServerSide s = server;
          serverCallbacks.execute(s::ready);
        }
      }
    });
  }

  /** Hands the receiver what it asked for, and every end marker that reaches the head. */
  private void pump(Pipe pipe) {
    if (client == null) {
      return; // not open yet: open() starts the sides first
    }
    Object head;
    while ((head = pipe.queue.peek()) != null) {
      boolean message = head != HALF_CLOSE && !(head instanceof Headers)
          && !(head instanceof Trailers);
      if (message) {
        if (pipe.requested == 0) {
          return;
        }
        pipe.requested--;
      }
      pipe.queue.poll();
      if (pipe == toServer) {
        dispatchToServer(head);
      } else {
        dispatchToClient(head);
      }
    }
  }

  private void dispatchToServer(Object item) {
    ServerSide s = server;
    if (item == HALF_CLOSE) {
      serverCallbacks.execute(s::halfClosed);
    } else {
      serverCallbacks.execute(() -> s.message(item));
    }
  }

  private void dispatchToClient(Object item) {
    ClientSide c = client;
    if (item instanceof Headers h) {
      clientCallbacks.execute(() -> c.headers(h.headers()));
    } else if (item instanceof Trailers t) {
      moveTo(CallState.DONE);
      clientCallbacks.execute(() -> c.closed(t.status(), t.trailers()));
    } else {
      clientCallbacks.execute(() -> c.message(item));
    }
  }
}
