package dev.tern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatusTest {
  @Test
  void everyCodeHasItsWireNumber() {
    assertEquals(17, Status.Code.values().length);
    for (Status.Code code : Status.Code.values()) {
      assertSame(code, Status.fromCodeValue(code.value()).getCode());
    }
    assertEquals(16, Status.UNAUTHENTICATED.getCode().value());
    assertEquals(14, Status.UNAVAILABLE.getCode().value());
  }

  @Test
  void unknownWireNumbersMapToUnknown() {
    assertSame(Status.Code.UNKNOWN, Status.fromCodeValue(17).getCode());
    assertSame(Status.Code.UNKNOWN, Status.fromCodeValue(-1).getCode());
  }

  @Test
  void withDescriptionReturnsNewImmutableStatus() {
    Status s = Status.NOT_FOUND.withDescription("no user 7");
    assertEquals("no user 7", s.getDescription());
    assertNull(Status.NOT_FOUND.getDescription());
    assertSame(s, s.withDescription("no user 7"));
  }

  @Test
  void augmentDescriptionAppendsOnNewLine() {
    assertEquals("a\nb", Status.INTERNAL.withDescription("a").augmentDescription("b")
        .getDescription());
    assertEquals("b", Status.INTERNAL.augmentDescription("b").getDescription());
  }

  @Test
  void exceptionsCarryStatusAndTrailers() {
    Metadata trailers = new Metadata();
    StatusRuntimeException e = Status.ABORTED.withDescription("x").asRuntimeException(trailers);
    assertSame(trailers, e.getTrailers());
    assertEquals("ABORTED: x", e.getMessage());
    assertSame(Status.Code.ABORTED, Status.fromThrowable(new RuntimeException(e)).getCode());
    assertSame(trailers, Status.trailersFromThrowable(new RuntimeException(e)));
  }

  @Test
  void fromThrowableWithoutStatusIsUnknownWithCause() {
    IllegalStateException cause = new IllegalStateException();
    Status s = Status.fromThrowable(cause);
    assertSame(Status.Code.UNKNOWN, s.getCode());
    assertSame(cause, s.getCause());
    assertTrue(s.toString().contains("UNKNOWN"));
  }
}
