package dev.tern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlineTest {

  /** A ticker that only moves when told to. */
  static final class FakeTicker extends Deadline.Ticker {
    private long now;

    FakeTicker(long start) {
      now = start;
    }

    void advance(long duration, TimeUnit unit) {
      now += unit.toNanos(duration);
    }

    @Override
    public long nanoTime() {
      return now;
    }
  }

  private final FakeTicker ticker = new FakeTicker(1_000_000L);

  @Test
  void isExpiredExactlyWhenTheTickerReachesTheDeadline() {
    Deadline d = Deadline.after(10, TimeUnit.SECONDS, ticker);
    assertFalse(d.isExpired());
    ticker.advance(10, TimeUnit.SECONDS);
    ticker.advance(-1, TimeUnit.NANOSECONDS);
    assertFalse(d.isExpired());
    ticker.advance(1, TimeUnit.NANOSECONDS);
    assertTrue(d.isExpired());
  }

  @Test
  void negativeDurationIsAlreadyExpired() {
    assertTrue(Deadline.after(-1, TimeUnit.MILLISECONDS, ticker).isExpired());
    assertTrue(Deadline.after(0, TimeUnit.MILLISECONDS, ticker).isExpired());
  }

  @Test
  void timeRemainingRoundsTowardZeroAndTurnsNegativeAfterExpiry() {
    Deadline d = Deadline.after(1500, TimeUnit.MILLISECONDS, ticker);
    assertEquals(1_500_000_000L, d.timeRemaining(TimeUnit.NANOSECONDS));
    assertEquals(1, d.timeRemaining(TimeUnit.SECONDS));
    ticker.advance(2, TimeUnit.SECONDS);
    assertEquals(-500, d.timeRemaining(TimeUnit.MILLISECONDS));
    assertEquals(0, d.timeRemaining(TimeUnit.SECONDS));
  }

  @Test
  void isBeforeAndCompareToOrderDeadlines() {
    Deadline early = Deadline.after(1, TimeUnit.SECONDS, ticker);
    Deadline late = Deadline.after(2, TimeUnit.SECONDS, ticker);
    Deadline sameAsEarly = Deadline.after(1000, TimeUnit.MILLISECONDS, ticker);
    assertTrue(early.isBefore(late));
    assertFalse(late.isBefore(early));
    assertFalse(early.isBefore(sameAsEarly));
    assertEquals(-1, early.compareTo(late));
    assertEquals(1, late.compareTo(early));
    assertEquals(0, early.compareTo(sameAsEarly));
  }

  @Test
  void minimumReturnsTheEarlierDeadline() {
    Deadline early = Deadline.after(1, TimeUnit.SECONDS, ticker);
    Deadline late = Deadline.after(1, TimeUnit.HOURS, ticker);
    assertSame(early, early.minimum(late));
    assertSame(early, late.minimum(early));
  }

  @Test
  void equalDeadlinesShareTickerAndInstant() {
    Deadline a = Deadline.after(5, TimeUnit.SECONDS, ticker);
    Deadline b = Deadline.after(5_000, TimeUnit.MILLISECONDS, ticker);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, Deadline.after(5, TimeUnit.SECONDS, new FakeTicker(1_000_000L)));
    assertNotEquals(a, Deadline.after(6, TimeUnit.SECONDS, ticker));
  }

  @Test
  void comparingDeadlinesOnDifferentTickersFails() {
    Deadline a = Deadline.after(1, TimeUnit.SECONDS, ticker);
    Deadline b = Deadline.after(1, TimeUnit.SECONDS, new FakeTicker(0));
    assertThrows(IllegalArgumentException.class, () -> a.isBefore(b));
    assertThrows(IllegalArgumentException.class, () -> a.compareTo(b));
  }

  @Test
  void earlierComparesAcrossTickersByTimeRemaining() {
    Deadline a = Deadline.after(1, TimeUnit.SECONDS, ticker);
    Deadline b = Deadline.after(2, TimeUnit.SECONDS, new FakeTicker(-7_000_000_000L));
    assertSame(a, Deadline.earlier(a, b));
    assertSame(a, Deadline.earlier(b, a));
    Deadline tie = Deadline.after(1, TimeUnit.SECONDS, ticker);
    assertSame(tie, Deadline.earlier(a, tie));
  }

  @Test
  void offsetMovesTheDeadline() {
    Deadline d = Deadline.after(10, TimeUnit.SECONDS, ticker);
    assertSame(d, d.offset(0, TimeUnit.SECONDS));
    assertEquals(13, d.offset(3, TimeUnit.SECONDS).timeRemaining(TimeUnit.SECONDS));
    assertEquals(7, d.offset(-3, TimeUnit.SECONDS).timeRemaining(TimeUnit.SECONDS));
  }

  @Test
  void hugeDurationsAreClampedSoArithmeticDoesNotOverflow() {
    FakeTicker nearMax = new FakeTicker(Long.MAX_VALUE - 10);
    Deadline far = Deadline.after(Long.MAX_VALUE, TimeUnit.DAYS, nearMax);
    Deadline past = Deadline.after(Long.MIN_VALUE, TimeUnit.DAYS, nearMax);
    assertFalse(far.isExpired());
    assertTrue(far.timeRemaining(TimeUnit.DAYS) > 365L * 99);
    assertTrue(past.isExpired());
    assertTrue(past.isBefore(far));
  }

  @Test
  void deadlinesStayOrderedWhenNanoTimeWrapsAround() {
    FakeTicker nearMax = new FakeTicker(Long.MAX_VALUE - 5);
    Deadline d = Deadline.after(10, TimeUnit.NANOSECONDS, nearMax); // wraps to negative
    Deadline earlier = Deadline.after(1, TimeUnit.NANOSECONDS, nearMax);
    assertFalse(d.isExpired());
    assertTrue(earlier.isBefore(d));
    nearMax.advance(9, TimeUnit.NANOSECONDS);
    assertFalse(d.isExpired());
    assertEquals(1, d.timeRemaining(TimeUnit.NANOSECONDS));
    nearMax.advance(1, TimeUnit.NANOSECONDS);
    assertTrue(d.isExpired());
  }

  @Test
  void toStringShowsSignedSecondsFromNow() {
    Deadline d = Deadline.after(1500, TimeUnit.MILLISECONDS, ticker);
    assertEquals("1.500000000s from now", d.toString());
    ticker.advance(1500, TimeUnit.MILLISECONDS);
    assertEquals("0.000000000s from now", d.toString());
    ticker.advance(250_000_001, TimeUnit.NANOSECONDS);
    assertEquals("-0.250000001s from now", d.toString());
  }
}
