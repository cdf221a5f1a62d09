package dev.tern.stub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.StatusException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link MessageHandoff}'s phases, one behaviour each, on one thread (no waits that block). */
class MessageHandoffTest {
  private final MessageHandoff<String> handoff = new MessageHandoff<>();
  private final AtomicInteger requests = new AtomicInteger();

  private String takeNow() throws Exception {
    return handoff.take(0, requests::incrementAndGet);
  }

  @Test
  void takeRequestsOneMessageAndTimesOutWhenNoneArrives() {
    assertThrows(TimeoutException.class, this::takeNow);
    assertEquals(1, requests.get());
  }

  @Test
  void aSecondWaitDoesNotRequestAgainWhileOneIsOutstanding() {
    assertThrows(TimeoutException.class, this::takeNow);
    assertThrows(TimeoutException.class, this::takeNow);
    assertEquals(1, requests.get());
  }

  @Test
  void anOfferedMessageIsTakenAndTheNextTakeRequestsAgain() throws Exception {
    assertThrows(TimeoutException.class, this::takeNow);
    handoff.offer("m");
    assertEquals("m", takeNow());
    assertThrows(TimeoutException.class, this::takeNow);
    assertEquals(2, requests.get());
  }

  @Test
  void halfCloseEndsTheMessagesButNotTheCall() throws Exception {
    handoff.halfClosed();
    assertNull(takeNow());
    assertTrue(handoff.awaitReady(() -> true, 0));
    assertEquals(MessageHandoff.Phase.HALF_CLOSED, handoff.phase());
  }

  @Test
  void aMessageBufferedBeforeAFailureIsStillTakenThenTheFailureThrows() throws Exception {
    handoff.offer("last");
    Metadata trailers = new Metadata();
    handoff.closed(Status.CANCELLED.withDescription("gone"), trailers);
    assertEquals("last", takeNow());
    StatusException e = assertThrows(StatusException.class, this::takeNow);
    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
    assertEquals(trailers, e.getTrailers());
  }

  @Test
  void aFailedCallFailsReadinessWaits() {
    handoff.closed(Status.DEADLINE_EXCEEDED, null);
    StatusException e =
        assertThrows(StatusException.class, () -> handoff.awaitReady(() -> true, -1));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
  }

  @Test
  void anOkEndRefusesSendingAndEndsReading() throws Exception {
    handoff.closed(Status.OK, new Metadata());
    assertFalse(handoff.awaitReady(() -> true, -1));
    assertNull(takeNow());
  }

  @Test
  void theFirstEndWins() {
    handoff.closed(Status.OK, null);
    handoff.closed(Status.CANCELLED, null);
    assertEquals(Status.Code.OK, handoff.status().getCode());
  }

  @Test
  void notReadyTimesOut() {
    assertThrows(TimeoutException.class, () -> handoff.awaitReady(() -> false, 0));
  }
}
