package dev.tern.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Status;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void defaultsRetryOnlyUnavailable() {
    RetryPolicy p = RetryPolicy.defaults();
    assertEquals(Set.of(Status.Code.UNAVAILABLE), p.retryableCodes());
    assertEquals(3, p.maxAttempts());
  }

  @Test
  void rejectsCodesThatCanNeverSucceedOnRetry() {
    for (Status.Code code : new Status.Code[] {Status.Code.INVALID_ARGUMENT,
        Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.OK}) {
      assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder()
          .retryableCodes(Status.Code.UNAVAILABLE, code), code::toString);
    }
  }

  @Test
  void capsAttemptsAtFiveAsA6Asks() {
    assertEquals(5, RetryPolicy.builder().maxAttempts(9).build().maxAttempts());
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(0));
  }

  @Test
  void backoffGrowsByTheMultiplierUpToTheMaximum() {
    RetryPolicy p = RetryPolicy.builder().initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofMillis(350)).backoffMultiplier(2).build();
    assertEquals(100_000_000L, p.backoffNanos(1));
    assertEquals(200_000_000L, p.backoffNanos(2));
    assertEquals(350_000_000L, p.backoffNanos(3));
  }

  @Test
  void fullJitterSpansZeroToTheBackoffAndZeroJitterIsExact() {
    RetryPolicy full = RetryPolicy.defaults();
    assertEquals(1000, full.jittered(1000, 0));
    assertEquals(1, full.jittered(1000, 0.999));
    RetryPolicy none = RetryPolicy.builder().jitter(0).build();
    assertEquals(1000, none.jittered(1000, 0.7));
  }

  @Test
  void rejectsMaxBackoffBelowInitial() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder()
        .initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(1)).build());
  }

  @Test
  void throttleDisablesRetriesAtHalfTheTokensAndSuccessesRefillIt() {
    RetryThrottle t = new RetryThrottle(10, 0.5);
    for (int i = 0; i < 4; i++) {
      assertTrue(t.onFailureAndCheckAllowed());
    }
    assertFalse(t.onFailureAndCheckAllowed()); // 5 tokens: not above half
    t.onSuccess();
    assertTrue(t.isRetryAllowed()); // 5.5
    assertEquals(5.5, t.tokens());
    for (int i = 0; i < 20; i++) {
      t.onSuccess();
    }
    assertEquals(10.0, t.tokens());
  }

  @Test
  void throttleValidatesItsParameters() {
    assertThrows(IllegalArgumentException.class, () -> new RetryThrottle(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new RetryThrottle(1001, 1));
    assertThrows(IllegalArgumentException.class, () -> new RetryThrottle(10, 0.0001));
  }
}
