package dev.tern.inprocess;

import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A client listener that records what it hears. */
class Recorder extends ClientCall.Listener<String> {
  /** The outcome of a call. */
  record Closed(Status status, Metadata trailers) {}

  final CompletableFuture<Metadata> headers = new CompletableFuture<>();
  final List<String> messages = new CopyOnWriteArrayList<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  volatile int readyCalls;

  @Override
  public void onHeaders(Metadata h) {
    headers.complete(h);
  }

  @Override
  public void onMessage(String message) {
    messages.add(message);
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    closed.complete(new Closed(status, trailers));
  }

  @Override
  public void onReady() {
    readyCalls++;
  }

  Closed awaitClose() throws Exception {
    return closed.get(30, TimeUnit.SECONDS);
  }

  Status awaitStatus() throws Exception {
    return awaitClose().status();
  }
}
