package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallbackPoolTest {
  private static ThreadFactory named(String prefix, List<Thread> made) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      made.add(t);
      return t;
    };
  }

  @Test
  void aTaskStillRunsWhenEveryCoreThreadIsBlocked() throws Exception {
    CallbackPool pool = new CallbackPool(2, named("blocked", new CopyOnWriteArrayList<>()));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(4);
    try {
      for (int i = 0; i < 4; i++) {
        pool.execute(() -> {
          blocked.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      // The first two block the core; the watchdog grows the pool for the other two.
      assertTrue(blocked.await(10, TimeUnit.SECONDS), "queued tasks were stalled");
      CountDownLatch ran = new CountDownLatch(1);
      pool.execute(ran::countDown);
      assertTrue(ran.await(10, TimeUnit.SECONDS), "a task behind blocked ones never ran");
    } finally {
      release.countDown();
      pool.shutdown();
    }
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void tasksQueuedBehindBusyThreadsDoNotGrowThePoolBeforeAStall() throws Exception {
    // A stall period no test outlives: any growth here came from judging progress too early.
    CallbackPool pool = new CallbackPool(1, named("busy", new CopyOnWriteArrayList<>()),
        TimeUnit.HOURS.toNanos(1));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch ran = new CountDownLatch(50);
    try {
      pool.execute(() -> {
        started.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertTrue(started.await(10, TimeUnit.SECONDS));
      for (int i = 0; i < 50; i++) {
        pool.execute(ran::countDown);
      }
      assertEquals(1, pool.threadCount(), "the pool grew with no stall");
      release.countDown();
      assertTrue(ran.await(10, TimeUnit.SECONDS), "queued tasks never ran");
      assertEquals(1, pool.threadCount());
    } finally {
      release.countDown();
      pool.shutdown();
    }
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void anIdleThreadIsReusedRatherThanANewOneStarted() throws Exception {
    List<Thread> made = new CopyOnWriteArrayList<>();
    CallbackPool pool = new CallbackPool(4, named("reuse", made));
    try {
      CountDownLatch first = new CountDownLatch(1);
      pool.execute(first::countDown);
      assertTrue(first.await(10, TimeUnit.SECONDS));
      // Wait until the one thread parks idle, then the next task must go to it.
      while (pool.threadCount() != 1 || !isParked(made.get(0))) {
        Thread.onSpinWait();
      }
      CountDownLatch second = new CountDownLatch(1);
      pool.execute(second::countDown);
      assertTrue(second.await(10, TimeUnit.SECONDS));
      assertEquals(1, made.size(), "a thread was started although one was idle");
    } finally {
      pool.shutdown();
    }
  }

  private static boolean isParked(Thread t) {
    Thread.State s = t.getState();
    return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
  }

  @Test
  void shutdownRunsQueuedTasksThenTerminatesAndRejectsNewOnes() throws Exception {
    CallbackPool pool = new CallbackPool(1, named("drain", new CopyOnWriteArrayList<>()));
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    pool.execute(() -> {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ran.incrementAndGet();
    });
    pool.execute(ran::incrementAndGet);
    pool.shutdown();
    assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    gate.countDown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    assertEquals(2, ran.get());
    assertTrue(pool.isTerminated());
  }

  @Test
  void shutdownNowInterruptsRunningTasksAndReturnsQueuedOnes() throws Exception {
    CallbackPool pool = new CallbackPool(1, named("now", new CopyOnWriteArrayList<>()));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    pool.execute(() -> {
      started.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    });
    assertTrue(started.await(10, TimeUnit.SECONDS));
    Runnable queued = () -> { };
    pool.execute(queued);
    List<Runnable> dropped = pool.shutdownNow();
    assertTrue(interrupted.await(10, TimeUnit.SECONDS));
    assertTrue(dropped.contains(queued) || dropped.isEmpty());
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void threadsComeFromTheFactory() throws Exception {
    List<Thread> made = new CopyOnWriteArrayList<>();
    CallbackPool pool = new CallbackPool(2, named("tern-server-app", made));
    try {
      CountDownLatch ran = new CountDownLatch(1);
      String[] name = new String[1];
      pool.execute(() -> {
        name[0] = Thread.currentThread().getName();
        ran.countDown();
      });
      assertTrue(ran.await(10, TimeUnit.SECONDS));
      assertEquals("tern-server-app-1", name[0]);
    } finally {
      pool.shutdown();
    }
  }
}
