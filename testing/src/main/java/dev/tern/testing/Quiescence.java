package dev.tern.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Waits for a sender to stop: how far it got before flow control held it. Stateless.
 *
 * <p>This polls on purpose: "nothing more will arrive" is the absence of an event, so there is no
 * signal to wait on; the counter is read every 20 ms until it has not moved for 300 ms.
 */
public final class Quiescence {
  private static final long POLL_MILLIS = 20;
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private Quiescence() {}

  /**
   * Waits until {@code counter} has reached {@code atLeast} and then not moved for 300 ms (at
   * most 30 s in all) and returns it. The floor keeps a slow start (a loaded machine) from passing
   * for a stop.
   */
  public static long awaitQuiet(LongSupplier counter, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    long last = counter.getAsLong();
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(POLL_MILLIS);
      long now = counter.getAsLong();
      if (now != last || now < atLeast) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > QUIET_NANOS) {
        return now;
      }
    }
    throw new AssertionError("the count never settled at or above " + atLeast + ": " + last);
  }
}
