package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client's inbox of messages read ahead, driven by hand: callbacks queue in a list the test
 * runs, as a call's executor would.
 */
class ResponseInboxTest {
  /** A call whose executor is the test, whose listener records, and whose reports are kept. */
  private static final class FakeCall implements ResponseInbox.Call {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    final List<String> delivered = new ArrayList<>();
    final List<String> reports = new ArrayList<>();
    ResponseInbox inbox;
    /** What the listener asks for after each message (the stubs ask for 1). */
    int requestPerMessage;

    @Override
    public void deliver(ResponseInbox.Arrival message) {
      delivered.add(message.message.toString(StandardCharsets.UTF_8));
      message.message.release();
      if (requestPerMessage > 0) {
        assertEquals(0, inbox.request(requestPerMessage), "met or reported by the drain");
      }
    }

    @Override
    public void dispatch(Runnable task) {
      tasks.add(task);
    }

    @Override
    public void report(ClientAttempt attempt, int messages, int credit, int requests) {
      reports.add(messages + " taken, " + credit + " credit, " + requests + " requested");
    }

    void runAll() {
      Runnable t;
      while ((t = tasks.poll()) != null) {
        t.run();
      }
    }

    /** The event loop hands the call a message read ahead (credit 10 each). */
    ResponseInbox.Arrival arrive(String text) {
      ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(
          text.getBytes(StandardCharsets.UTF_8));
      ResponseInbox.Arrival a =
          new ResponseInbox.Arrival(inbox, this, null, buf, false, buf.readableBytes(), 0, 10);
      dispatch(a);
      return a;
    }
  }

  private static FakeCall call() {
    FakeCall call = new FakeCall();
    call.inbox = new ResponseInbox(call);
    return call;
  }

  @Test
  void messagesReadAheadWaitForRequestsAndComeInOrder() {
    FakeCall call = call();
    call.arrive("a");
    call.arrive("b");
    call.arrive("c");
    call.runAll();
    assertEquals(List.of(), call.delivered, "nothing was requested");

    assertEquals(0, call.inbox.request(2), "held messages meet the request");
    call.runAll();
    assertEquals(List.of("a", "b"), call.delivered);
    assertEquals(List.of("2 taken, 20 credit, 0 requested"), call.reports);

    assertEquals(0, call.inbox.request(5), "the drain's report carries what c does not meet");
    call.runAll();
    assertEquals(List.of("a", "b", "c"), call.delivered);
    assertEquals("1 taken, 10 credit, 4 requested", call.reports.get(1));
  }

  @Test
  void requestMadeWhileDeliveringIsMetInTheSameTaskWithOneReport() {
    FakeCall call = call();
    call.requestPerMessage = 1;
    for (int i = 0; i < 5; i++) {
      call.arrive("m" + i);
    }
    call.runAll();
    assertEquals(0, call.inbox.request(1));
    assertEquals(1, call.tasks.size(), "one task for the whole batch");
    call.runAll();
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), call.delivered);
    // The last message's request(1) finds nothing held: it goes with the one report.
    assertEquals(List.of("5 taken, 50 credit, 1 requested"), call.reports);
  }

  @Test
  void requestWithNothingHeldGoesToTheTransportAtOnce() {
    FakeCall call = call();
    assertEquals(3, call.inbox.request(3));
    call.arrive("a");
    call.runAll();
    assertEquals(List.of("a"), call.delivered);
    assertEquals(List.of("1 taken, 10 credit, 0 requested"), call.reports);
  }

  @Test
  void closeReleasesWhatIsHeldAndLaterArrivals() {
    FakeCall call = call();
    ResponseInbox.Arrival a = call.arrive("a");
    ResponseInbox.Arrival b = call.arrive("b");
    call.runAll();
    call.inbox.close();
    assertEquals(0, a.message.refCnt());
    assertEquals(0, b.message.refCnt());
    ResponseInbox.Arrival late = call.arrive("late");
    call.runAll();
    assertEquals(0, late.message.refCnt());
    assertEquals(0, call.inbox.request(1), "nothing is asked for after the end");
    assertTrue(call.delivered.isEmpty() && call.reports.isEmpty());
  }
}
