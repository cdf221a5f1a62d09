package dev.tern;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A client call that records what the code under test does to it and lets the test play the
 * transport: {@link #deliver} runs a listener callback on the call's executor (as a transport
 * would), from whichever thread calls it. Recording fields are synchronized on the call.
 */
public final class FakeClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  public final MethodDescriptor<ReqT, RespT> method;
  public final CallOptions options;
  public Listener<RespT> listener;
  public Metadata headers;
  public int requested;
  public final List<ReqT> sent = new ArrayList<>();
  public boolean halfClosed;
  public String cancelMessage;
  public Throwable cancelCause;
  public int cancelCount;
  public volatile boolean ready = true;
  public final Runnable onRequest;

  public FakeClientCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Runnable onRequest) {
    this.method = method;
    this.options = options;
    this.onRequest = onRequest;
  }

  public FakeClientCall(MethodDescriptor<ReqT, RespT> method) {
    this(method, CallOptions.DEFAULT, null);
  }

  @Override
  public synchronized void start(Listener<RespT> responseListener, Metadata headers) {
    if (listener != null) {
      throw new IllegalStateException("started twice");
    }
    this.listener = responseListener;
    this.headers = headers;
    notifyAll();
  }

  @Override
  public void request(int numMessages) {
    synchronized (this) {
      requested += numMessages;
      notifyAll();
    }
    if (onRequest != null) {
      onRequest.run();
    }
  }

  @Override
  public synchronized void cancel(String message, Throwable cause) {
    cancelCount++;
    cancelMessage = message;
    cancelCause = cause;
    notifyAll();
  }

  @Override
  public synchronized void halfClose() {
    halfClosed = true;
    notifyAll();
  }

  @Override
  public synchronized void sendMessage(ReqT message) {
    sent.add(message);
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  public synchronized int requested() {
    return requested;
  }

  public synchronized int cancelCount() {
    return cancelCount;
  }

  /** Waits until {@code n} messages in total have been requested. */
  public synchronized void awaitRequested(int n) throws InterruptedException {
    while (requested < n) {
      wait();
    }
  }

  /** Waits until the call was cancelled. */
  public synchronized void awaitCancelled() throws InterruptedException {
    while (cancelCount == 0) {
      wait();
    }
  }

  /** Runs {@code event} against the listener on the call's executor, as a transport would. */
  public void deliver(java.util.function.Consumer<Listener<RespT>> event) {
    Listener<RespT> l;
    synchronized (this) {
      // A transport has nothing to deliver before start(); the scripted peer may get the call
      // from newCall() before the code under test has started it.
      while (listener == null) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      l = listener;
    }
    Executor executor = options.getExecutor();
    if (executor == null) {
      event.accept(l);
    } else {
      executor.execute(() -> event.accept(l));
    }
  }
}
