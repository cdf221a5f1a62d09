package dev.tern.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Status;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HedgingPolicyTest {
  @Test
  void defaultsAreTwoAttemptsAtOnceWithNoNonFatalCodes() {
    HedgingPolicy p = HedgingPolicy.builder().build();
    assertEquals(2, p.maxAttempts());
    assertEquals(Duration.ZERO, p.hedgingDelay());
    assertEquals(Set.of(), p.nonFatalStatusCodes());
  }

  @Test
  void moreThanFiveAttemptsCountAsFive() {
    assertEquals(5, HedgingPolicy.builder().maxAttempts(9).build().maxAttempts());
  }

  @Test
  void nonFatalCodesAreKept() {
    HedgingPolicy p = HedgingPolicy.builder().hedgingDelay(Duration.ofMillis(30))
        .nonFatalStatusCodes(Status.Code.UNAVAILABLE, Status.Code.ABORTED).build();
    assertTrue(p.isNonFatal(Status.Code.ABORTED));
    assertFalse(p.isNonFatal(Status.Code.INTERNAL));
    assertEquals(Duration.ofMillis(30), p.hedgingDelay());
  }

  @Test
  void rejectsFewerThanTwoAttemptsANegativeDelayAndOk() {
    assertThrows(IllegalArgumentException.class, () -> HedgingPolicy.builder().maxAttempts(1));
    assertThrows(IllegalArgumentException.class,
        () -> HedgingPolicy.builder().hedgingDelay(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class,
        () -> HedgingPolicy.builder().nonFatalStatusCodes(Status.Code.OK));
  }
}
