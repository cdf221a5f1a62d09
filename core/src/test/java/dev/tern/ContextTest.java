package dev.tern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContextTest {
  private static final Context.Key<String> NAME = Context.key("name");
  private static final Context.Key<Integer> COUNT = Context.keyWithDefault("count", 7);
  private static final Context.Key<String> A = Context.key("a");
  private static final Context.Key<String> B = Context.key("b");
  private static final Context.Key<String> C = Context.key("c");

  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "context-test-worker");
    t.setDaemon(true);
    return t;
  });
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "context-test-timer");
    t.setDaemon(true);
    return t;
  });

  {
    scheduler.setRemoveOnCancelPolicy(true);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    worker.shutdownNow();
    scheduler.shutdownNow();
    assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
    assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
    assertSame(Context.ROOT, Context.current(), "a test left a context attached");
  }

  // ---- values ----

  @Test
  void unsetKeysReadAsNullOrTheirDefault() {
    assertNull(NAME.get());
    assertEquals(7, COUNT.get());
    assertNull(NAME.get(Context.ROOT));
    assertEquals("name", NAME.toString());
  }

  @Test
  void childValuesShadowTheParentsWithoutChangingIt() {
    Context parent = Context.ROOT.withValue(NAME, "parent").withValue(COUNT, 1);
    Context child = parent.withValue(NAME, "child");
    assertEquals("child", NAME.get(child));
    assertEquals(1, COUNT.get(child));
    assertEquals("parent", NAME.get(parent));
    assertNull(NAME.get(Context.ROOT));
  }

  @Test
  void withValueSetsUpToFourPairsAndTheLastDuplicateWins() {
    Context two = Context.ROOT.withValue(A, "a", B, "b");
    Context three = two.withValue(A, "a3", B, "b3", C, "c3");
    Context four = Context.ROOT.withValue(A, "1", B, "2", C, "3", A, "4");
    assertEquals("a", A.get(two));
    assertEquals("b", B.get(two));
    assertEquals("a3", A.get(three));
    assertEquals("c3", C.get(three));
    assertEquals("4", A.get(four));
    assertEquals("3", C.get(four));
  }

  @Test
  void settingNullMakesAKeyReadAsItsDefault() {
    Context c = Context.ROOT.withValue(COUNT, 1).withValue(COUNT, null);
    assertEquals(7, COUNT.get(c));
  }

  @Test
  void keysWithTheSameNameAreDistinct() {
    Context.Key<String> other = Context.key("name");
    Context c = Context.ROOT.withValue(NAME, "mine");
    assertNull(other.get(c));
  }

  // ---- attach / detach ----

  @Test
  void attachReturnsThePreviousContextAndDetachRestoresIt() {
    Context outer = Context.ROOT.withValue(NAME, "outer");
    Context inner = outer.withValue(NAME, "inner");
    Context first = outer.attach();
    assertSame(Context.ROOT, first);
    assertEquals("outer", NAME.get());
    Context second = inner.attach();
    assertSame(outer, second);
    assertSame(inner, Context.current());
    inner.detach(second);
    assertSame(outer, Context.current());
    outer.detach(first);
    assertSame(Context.ROOT, Context.current());
  }

  @Test
  void attachingOnOneThreadIsInvisibleToOthers() throws Exception {
    Context c = Context.ROOT.withValue(NAME, "here");
    Context previous = c.attach();
    try {
      assertSame(Context.ROOT, worker.submit(Context::current).get(10, TimeUnit.SECONDS));
      assertSame(c, Context.current());
    } finally {
      c.detach(previous);
    }
  }

  @Test
  void detachingAContextThatIsNotCurrentRestoresAnywayWithoutThrowing() {
    Context a = Context.ROOT.withValue(NAME, "a");
    Context b = Context.ROOT.withValue(NAME, "b");
    Context previous = a.attach();
    b.detach(previous); // mismatched: logged, not thrown
    assertSame(Context.ROOT, Context.current());
  }

  @Test
  void runAndCallAttachOnlyForTheTask() throws Exception {
    Context c = Context.ROOT.withValue(NAME, "task");
    AtomicReference<String> seen = new AtomicReference<>();
    c.run(() -> seen.set(NAME.get()));
    assertEquals("task", seen.get());
    assertEquals("task", c.call(NAME::get));
    assertSame(Context.ROOT, Context.current());
  }

  @Test
  void runRestoresThePreviousContextWhenTheTaskThrows() {
    Context c = Context.ROOT.withValue(NAME, "task");
    assertThrows(IllegalStateException.class, () -> c.run(() -> {
      throw new IllegalStateException("boom");
    }));
    assertThrows(TimeoutException.class, () -> c.call(() -> {
      throw new TimeoutException();
    }));
    assertSame(Context.ROOT, Context.current());
  }

  // ---- propagation to other threads ----

  @Test
  void wrappedTasksRunWithTheWrappingContextOnAnotherThread() throws Exception {
    Context c = Context.ROOT.withValue(NAME, "wrapped");
    AtomicReference<String> seen = new AtomicReference<>();
    worker.submit(c.wrap(() -> seen.set(NAME.get()))).get(10, TimeUnit.SECONDS);
    assertEquals("wrapped", seen.get());
    assertEquals("wrapped", worker.submit(c.wrap(() -> NAME.get())).get(10, TimeUnit.SECONDS));
    // The worker thread is left as it was.
    assertSame(Context.ROOT, worker.submit(Context::current).get(10, TimeUnit.SECONDS));
  }

  @Test
  void fixedContextExecutorAlwaysUsesItsContext() throws Exception {
    Context fixed = Context.ROOT.withValue(NAME, "fixed");
    java.util.concurrent.Executor executor = fixed.fixedContextExecutor(worker);
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<String> seen = new AtomicReference<>();
    Context.ROOT.withValue(NAME, "submitter").run(() -> executor.execute(() -> {
      seen.set(NAME.get());
      done.countDown();
    }));
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals("fixed", seen.get());
  }

  @Test
  void currentContextExecutorUsesTheContextCurrentAtSubmission() throws Exception {
    java.util.concurrent.Executor executor = Context.currentContextExecutor(worker);
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(2);
    for (String name : List.of("first", "second")) {
      Context.ROOT.withValue(NAME, name).run(() -> executor.execute(() -> {
        seen.add(NAME.get());
        done.countDown();
      }));
    }
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(List.of("first", "second"), new ArrayList<>(seen));
  }

  // ---- cancellation ----

  @Test
  void contextsWithoutACancellableAncestorAreNeverCancelled() {
    Context c = Context.ROOT.withValue(NAME, "plain");
    AtomicInteger calls = new AtomicInteger();
    c.addListener(ctx -> calls.incrementAndGet(), Runnable::run);
    Context.ROOT.addListener(ctx -> calls.incrementAndGet(), Runnable::run);
    assertFalse(c.isCancelled());
    assertNull(c.cancellationCause());
    assertNull(c.getDeadline());
    assertEquals(0, calls.get());
  }

  @Test
  void cancellingPropagatesToDescendantsWithTheSameCause() {
    Context.CancellableContext parent = Context.ROOT.withCancellation();
    Context valued = parent.withValue(NAME, "child");
    Context.CancellableContext grandchild = valued.withCancellation();
    Context leaf = grandchild.withValue(COUNT, 3);
    RuntimeException cause = new RuntimeException("stop");

    assertTrue(parent.cancel(cause));

    for (Context c : List.of(parent, valued, grandchild, leaf)) {
      assertTrue(c.isCancelled(), c::toString);
      assertSame(cause, c.cancellationCause());
    }
    assertEquals("child", NAME.get(leaf));
  }

  @Test
  void cancellingAChildLeavesItsParentAlone() {
    Context.CancellableContext parent = Context.ROOT.withCancellation();
    Context.CancellableContext child = parent.withCancellation();
    child.cancel(new RuntimeException());
    assertTrue(child.isCancelled());
    assertFalse(parent.isCancelled());
    parent.close();
  }

  @Test
  void childOfACancelledContextStartsCancelled() {
    Context.CancellableContext parent = Context.ROOT.withCancellation();
    IllegalStateException cause = new IllegalStateException();
    parent.cancel(cause);
    Context.CancellableContext child = parent.withValue(NAME, "x").withCancellation();
    assertTrue(child.isCancelled());
    assertSame(cause, child.cancellationCause());
  }

  @Test
  void cancelReportsWhetherItCancelledAndKeepsTheFirstCause() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    RuntimeException first = new RuntimeException("first");
    assertTrue(c.cancel(first));
    assertFalse(c.cancel(new RuntimeException("second")));
    c.close();
    assertSame(first, c.cancellationCause());
  }

  @Test
  void closeCancelsWithoutACause() {
    Context.CancellableContext c;
    try (Context.CancellableContext scoped = Context.ROOT.withCancellation()) {
      c = scoped;
      assertFalse(c.isCancelled());
    }
    assertTrue(c.isCancelled());
    assertNull(c.cancellationCause());
  }

  @Test
  void detachAndCancelRestoresThePreviousContextThenCancels() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    Context previous = c.attach();
    RuntimeException cause = new RuntimeException();
    c.detachAndCancel(previous, cause);
    assertSame(Context.ROOT, Context.current());
    assertSame(cause, c.cancellationCause());
  }

  @Test
  void concurrentCancelsCancelExactlyOnce() throws Exception {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    AtomicInteger listenerCalls = new AtomicInteger();
    c.addListener(ctx -> listenerCalls.incrementAndGet(), Runnable::run);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return c.cancel(new RuntimeException());
        }));
      }
      int wins = 0;
      for (Future<Boolean> r : results) {
        wins += r.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertEquals(1, wins);
      assertEquals(1, listenerCalls.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void childrenCreatedWhileTheParentIsCancelledAllEndCancelled() throws Exception {
    Context.CancellableContext parent = Context.ROOT.withCancellation();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    ConcurrentLinkedQueue<Context.CancellableContext> children = new ConcurrentLinkedQueue<>();
    CountDownLatch running = new CountDownLatch(threads);
    try {
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        loops.add(pool.submit(() -> {
          running.countDown();
          int n = 0;
          do {
            Context.CancellableContext child = parent.withCancellation();
            if (n++ % 2 == 0) {
              child.close();
            } else {
              children.add(child);
            }
          } while (!parent.isCancelled() || n < 1000);
        }));
      }
      assertTrue(running.await(10, TimeUnit.SECONDS));
      parent.cancel(new RuntimeException("parent"));
      for (Future<?> loop : loops) {
        loop.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (Context.CancellableContext child : children) {
      assertTrue(child.isCancelled());
    }
    assertEquals(0, parent.listenerCount());
  }

  // ---- listeners ----

  @Test
  void listenersRunOnTheirExecutorWithTheContextTheyWereAddedTo() throws Exception {
    Context.CancellableContext parent = Context.ROOT.withCancellation();
    Context child = parent.withValue(NAME, "child");
    CountDownLatch called = new CountDownLatch(1);
    AtomicReference<Context> argument = new AtomicReference<>();
    AtomicReference<String> thread = new AtomicReference<>();
    child.addListener(ctx -> {
      argument.set(ctx);
      thread.set(Thread.currentThread().getName());
      called.countDown();
    }, worker);

    parent.cancel(null);

    assertTrue(called.await(10, TimeUnit.SECONDS));
    assertSame(child, argument.get());
    assertEquals("context-test-worker", thread.get());
  }

  @Test
  void listenerAddedAfterCancellationRunsAtOnce() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    c.close();
    AtomicInteger calls = new AtomicInteger();
    c.withValue(NAME, "late").addListener(ctx -> calls.incrementAndGet(), Runnable::run);
    assertEquals(1, calls.get());
  }

  @Test
  void removedListenersAreNotCalled() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    Context derived = c.withValue(NAME, "d");
    AtomicInteger removedCalls = new AtomicInteger();
    AtomicInteger keptCalls = new AtomicInteger();
    Context.CancellationListener removed = ctx -> removedCalls.incrementAndGet();
    c.addListener(removed, Runnable::run);
    c.addListener(removed, Runnable::run);
    derived.addListener(removed, Runnable::run);
    c.addListener(ctx -> keptCalls.incrementAndGet(), Runnable::run);

    c.removeListener(removed);
    assertEquals(2, c.listenerCount()); // derived's registration is separate

    derived.removeListener(removed);
    c.close();
    assertEquals(0, removedCalls.get());
    assertEquals(1, keptCalls.get());
  }

  @Test
  void aThrowingListenerDoesNotStopTheOthers() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    Context.CancellableContext child = c.withCancellation();
    AtomicInteger calls = new AtomicInteger();
    c.addListener(ctx -> {
      throw new IllegalStateException("listener bug (expected by the test)");
    }, Runnable::run);
    c.addListener(ctx -> calls.incrementAndGet(), Runnable::run);
    c.addListener(ctx -> calls.incrementAndGet(), r -> {
      throw new RejectedExecutionException("executor shut down (expected by the test)");
    });

    assertTrue(c.cancel(null));
    assertEquals(1, calls.get());
    assertTrue(child.isCancelled());
  }

  // ---- deadlines ----

  @Test
  void passingDeadlineCancelsWithTimeoutException() throws Exception {
    Context.CancellableContext c = Context.ROOT.withDeadlineAfter(20, TimeUnit.MILLISECONDS,
        scheduler);
    Context derived = c.withValue(NAME, "d");
    CountDownLatch cancelled = new CountDownLatch(1);
    derived.addListener(ctx -> cancelled.countDown(), Runnable::run);

    assertTrue(cancelled.await(10, TimeUnit.SECONDS));
    assertTrue(derived.isCancelled());
    assertInstanceOf(TimeoutException.class, derived.cancellationCause());
    assertTrue(c.getDeadline().isExpired());
  }

  @Test
  void alreadyPassedDeadlineCancelsAtOnce() {
    Context.CancellableContext c = Context.ROOT.withDeadline(
        Deadline.after(-1, TimeUnit.SECONDS), scheduler);
    assertTrue(c.isCancelled());
    assertInstanceOf(TimeoutException.class, c.cancellationCause());
    assertEquals(0, scheduler.getQueue().size());
  }

  @Test
  void childKeepsTheEarlierParentDeadline() {
    Context.CancellableContext parent = Context.ROOT.withDeadlineAfter(1, TimeUnit.HOURS,
        scheduler);
    Context.CancellableContext child = parent.withValue(NAME, "x")
        .withDeadlineAfter(2, TimeUnit.HOURS, scheduler);
    assertSame(parent.getDeadline(), child.getDeadline());
    assertSame(parent.getDeadline(), child.withValue(NAME, "y").getDeadline());
    assertEquals(1, scheduler.getQueue().size(), "the later child deadline needs no timer");
    parent.close();
    assertTrue(child.isCancelled());
  }

  @Test
  void childTakesItsOwnEarlierDeadline() {
    Context.CancellableContext parent = Context.ROOT.withDeadlineAfter(2, TimeUnit.HOURS,
        scheduler);
    Deadline mine = Deadline.after(1, TimeUnit.HOURS);
    Context.CancellableContext child = parent.withDeadline(mine, scheduler);
    assertSame(mine, child.getDeadline());
    child.close();
    parent.close();
    assertEquals(0, scheduler.getQueue().size(), "closing cancels the timers");
  }

  @Test
  void parentsEarlierDeadlineCancelsTheChildWithTimeoutException() throws Exception {
    Context.CancellableContext parent = Context.ROOT.withDeadlineAfter(20, TimeUnit.MILLISECONDS,
        scheduler);
    Context.CancellableContext child = parent.withDeadlineAfter(1, TimeUnit.HOURS, scheduler);
    CountDownLatch cancelled = new CountDownLatch(1);
    child.addListener(ctx -> cancelled.countDown(), Runnable::run);

    assertTrue(cancelled.await(10, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, child.cancellationCause());
  }

  @Test
  void childsEarlierDeadlineCancelsOnlyTheChild() throws Exception {
    Context.CancellableContext parent = Context.ROOT.withDeadlineAfter(1, TimeUnit.HOURS,
        scheduler);
    Context.CancellableContext child = parent.withDeadlineAfter(20, TimeUnit.MILLISECONDS,
        scheduler);
    CountDownLatch cancelled = new CountDownLatch(1);
    child.addListener(ctx -> cancelled.countDown(), Runnable::run);

    assertTrue(cancelled.await(10, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, child.cancellationCause());
    assertFalse(parent.isCancelled());
    assertEquals(0, parent.listenerCount());
    parent.close();
  }

  @Test
  void rejectedTimerLeavesTheChildCancelledAndDetached() {
    Context.CancellableContext parent = Context.ROOT.withCancellation();
    scheduler.shutdown();
    assertThrows(RejectedExecutionException.class,
        () -> parent.withDeadlineAfter(1, TimeUnit.HOURS, scheduler));
    assertEquals(0, parent.listenerCount());
    parent.close();
  }

  // ---- no leaks under a long-lived parent ----

  @Test
  void closedChildrenLeaveNoListenersOnALongLivedParent() {
    Context.CancellableContext parent = Context.ROOT.withCancellation();
    Context parentWithValue = parent.withValue(NAME, "server");
    for (int i = 0; i < 10_000; i++) {
      Context.CancellableContext child = parentWithValue.withCancellation();
      Context.CancellableContext timed = child.withDeadlineAfter(1, TimeUnit.HOURS, scheduler);
      assertEquals(1, parent.listenerCount());
      if (i % 2 == 0) {
        child.close(); // the grandchild goes with it
      } else {
        timed.close();
        child.cancel(new RuntimeException());
      }
    }
    assertEquals(0, parent.listenerCount());
    assertEquals(0, scheduler.getQueue().size());
    assertFalse(parent.isCancelled());
    parent.close();
  }
}
