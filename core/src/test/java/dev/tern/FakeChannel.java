package dev.tern;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A channel handing out {@link FakeClientCall}s and recording them in order, for tests that play
 * the transport themselves. Thread-safe: calls may be made on one thread and taken on another.
 */
public final class FakeChannel extends Channel {
  public final LinkedBlockingQueue<FakeClientCall<?, ?>> calls = new LinkedBlockingQueue<>();

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    FakeClientCall<ReqT, RespT> call = new FakeClientCall<>(method, callOptions, null);
    calls.add(call);
    return call;
  }

  @Override
  public String authority() {
    return "fake.example";
  }

  /** The oldest call not taken yet, waiting up to 30 s for one. */
  @SuppressWarnings("unchecked")
  public FakeClientCall<String, String> nextCall() throws InterruptedException {
    return (FakeClientCall<String, String>) calls.poll(30, TimeUnit.SECONDS);
  }
}
