package dev.tern.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthCheckResponse;
import dev.tern.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A slow watcher keeps only the latest status, never a queue. */
class HealthWatcherTest {

  @Test
  void slowWatcherSeesOnlyTheLatestStatus() {
    FakeStream out = new FakeStream();
    HealthWatcher w = new HealthWatcher(out);
    out.ready = false;
    w.offer(1, ServingStatus.SERVING); // the first status goes out even before on-ready
    assertEquals(List.of(ServingStatus.SERVING), out.sent);

    for (int i = 2; i < 1000; i++) {
      w.offer(i, i % 2 == 0 ? ServingStatus.NOT_SERVING : ServingStatus.SERVING);
    }
    w.offer(1000, ServingStatus.NOT_SERVING);
    assertEquals(1, out.sent.size()); // nothing queued while the stream is not ready

    out.ready = true;
    w.drain(); // what the on-ready handler does
    assertEquals(List.of(ServingStatus.SERVING, ServingStatus.NOT_SERVING), out.sent);
    w.drain();
    assertEquals(2, out.sent.size());
  }

  @Test
  void olderUpdatesAreDroppedAndRepeatsNotSent() {
    FakeStream out = new FakeStream();
    HealthWatcher w = new HealthWatcher(out);
    w.offer(5, ServingStatus.SERVING);
    w.offer(4, ServingStatus.NOT_SERVING); // raced past a newer one: stale
    w.offer(6, ServingStatus.SERVING);
    assertEquals(List.of(ServingStatus.SERVING), out.sent);
  }

  @Test
  void closedWatcherSendsNothing() {
    FakeStream out = new FakeStream();
    HealthWatcher w = new HealthWatcher(out);
    w.close();
    w.offer(1, ServingStatus.SERVING);
    assertEquals(List.of(), out.sent);
  }

  @Test
  void endSendsTheLastStatusReadyOrNotThenCompletes() {
    FakeStream out = new FakeStream();
    HealthWatcher w = new HealthWatcher(out);
    w.offer(1, ServingStatus.SERVING);
    out.ready = false;
    w.offer(2, ServingStatus.UNKNOWN); // held back: not ready
    w.end(3, ServingStatus.NOT_SERVING);
    assertEquals(List.of(ServingStatus.SERVING, ServingStatus.NOT_SERVING), out.sent);
    assertEquals(1, out.completions);
    w.offer(4, ServingStatus.SERVING); // after the end: ignored
    w.end(5, ServingStatus.SERVING);
    assertEquals(2, out.sent.size());
    assertEquals(1, out.completions);
  }

  @Test
  void endDoesNotRepeatTheStatusAlreadySent() {
    FakeStream out = new FakeStream();
    HealthWatcher w = new HealthWatcher(out);
    w.offer(1, ServingStatus.NOT_SERVING);
    w.end(2, ServingStatus.NOT_SERVING);
    assertEquals(List.of(ServingStatus.NOT_SERVING), out.sent);
    assertEquals(1, out.completions);
  }

  /** Records what is sent; readiness is set by the test. Used by one thread. */
  private static final class FakeStream extends ServerCallStreamObserver<HealthCheckResponse> {
    final List<ServingStatus> sent = new ArrayList<>();
    boolean ready = true;
    int completions;

    @Override
    public void onNext(HealthCheckResponse value) {
      sent.add(value.getStatus());
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      completions++;
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoRequest() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}
  }
}
