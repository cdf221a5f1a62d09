package dev.tern;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An absolute point in time on a monotonic clock ({@link System#nanoTime()} by default), after
 * which a call should stop. Immutable and thread-safe.
 *
 * <pre>{@code
 * Deadline d = Deadline.after(300, TimeUnit.MILLISECONDS);
 * long left = d.timeRemaining(TimeUnit.MILLISECONDS);
 * }</pre>
 */
public final class Deadline implements Comparable<Deadline> {

  /** A source of monotonic nanoseconds; replaceable in tests. Implementations are thread-safe. */
  public abstract static class Ticker {
    /** Monotonic nanoseconds; only differences are meaningful. */
    public abstract long nanoTime();
  }

  private static final Ticker SYSTEM_TICKER = new Ticker() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }
  };

  // Clamp far-future deadlines so that arithmetic on nanoTime values cannot overflow (~292 years).
  private static final long MAX_NANOS = TimeUnit.DAYS.toNanos(100 * 365L);

  private final Ticker ticker;
  private final long deadlineNanos;

  private Deadline(Ticker ticker, long deadlineNanos) {
    this.ticker = ticker;
    this.deadlineNanos = deadlineNanos;
  }

  /** The system ticker ({@link System#nanoTime()}). */
  public static Ticker getSystemTicker() {
    return SYSTEM_TICKER;
  }

  /** A deadline {@code duration} from now; negative durations give an already expired one. */
  public static Deadline after(long duration, TimeUnit unit) {
    return after(duration, unit, SYSTEM_TICKER);
  }

  /** A deadline {@code duration} from now on {@code ticker}. */
  public static Deadline after(long duration, TimeUnit unit, Ticker ticker) {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(ticker, "ticker");
    long nanos = Math.max(-MAX_NANOS, Math.min(MAX_NANOS, unit.toNanos(duration)));
    return new Deadline(ticker, ticker.nanoTime() + nanos);
  }

  /** Whether the deadline has passed. */
  public boolean isExpired() {
    return ticker.nanoTime() - deadlineNanos >= 0;
  }

  /** Whether this deadline is earlier than {@code other}. */
  public boolean isBefore(Deadline other) {
    checkTicker(other);
    return deadlineNanos - other.deadlineNanos < 0;
  }

  /** The earlier of this deadline and {@code other}. */
  public Deadline minimum(Deadline other) {
    return isBefore(other) ? this : other;
  }

  /**
   * The earlier of {@code a} and {@code b} ({@code b} on a tie). Unlike {@link #minimum}, works
   * across tickers, by comparing the time each has left.
   */
  static Deadline earlier(Deadline a, Deadline b) {
    if (a.ticker == b.ticker) {
      return a.isBefore(b) ? a : b;
    }
    return a.timeRemaining(TimeUnit.NANOSECONDS) < b.timeRemaining(TimeUnit.NANOSECONDS) ? a : b;
  }

  /** This deadline moved by {@code offset}. */
  public Deadline offset(long offset, TimeUnit unit) {
    return offset == 0 ? this : new Deadline(ticker, deadlineNanos + unit.toNanos(offset));
  }

  /** Time left, in {@code unit}, rounded toward zero; negative once expired. */
  public long timeRemaining(TimeUnit unit) {
    long nanos = deadlineNanos - ticker.nanoTime();
    return unit.convert(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public int compareTo(Deadline that) {
    checkTicker(that);
    return Long.signum(deadlineNanos - that.deadlineNanos);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Deadline
        && ((Deadline) o).ticker == ticker
        && ((Deadline) o).deadlineNanos == deadlineNanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(deadlineNanos) * 31 + ticker.hashCode();
  }

  @Override
  public String toString() {
    long remaining = timeRemaining(TimeUnit.NANOSECONDS);
    long abs = Math.abs(remaining);
    return String.format(java.util.Locale.ROOT, "%s%d.%09ds from now",
        remaining < 0 ? "-" : "", abs / 1_000_000_000L, abs % 1_000_000_000L);
  }

  private void checkTicker(Deadline other) {
    if (other.ticker != ticker) {
      throw new IllegalArgumentException(
          "deadlines on different tickers cannot be compared: " + ticker + ", " + other.ticker);
    }
  }
}
