package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerializingExecutorTest {
  @Test
  void runsTasksOneAtATimeInSubmissionOrderOnAPool() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      SerializingExecutor executor = new SerializingExecutor(pool);
      int producers = 4;
      int perProducer = 500;
      AtomicInteger running = new AtomicInteger();
      AtomicBoolean overlapped = new AtomicBoolean();
      List<List<Integer>> seen = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        seen.add(new ArrayList<>()); // each list is only touched by the serialized tasks
      }
      CountDownLatch done = new CountDownLatch(producers * perProducer);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        Thread t = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < perProducer; i++) {
            int n = i;
            executor.execute(() -> {
              if (running.incrementAndGet() != 1) {
                overlapped.set(true);
              }
              seen.get(producer).add(n);
              running.decrementAndGet();
              done.countDown();
            });
          }
        });
        threads.add(t);
        t.start();
      }
      go.countDown();
      assertTrue(done.await(30, TimeUnit.SECONDS));
      for (Thread t : threads) {
        t.join();
      }
      assertFalse(overlapped.get(), "two tasks ran at the same time");
      for (List<Integer> s : seen) {
        assertEquals(perProducer, s.size());
        for (int i = 0; i < perProducer; i++) {
          assertEquals(i, s.get(i), "tasks of one producer ran out of order");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aThrowingTaskDoesNotStopTheOnesAfterIt() {
    List<String> log = new ArrayList<>();
    SerializingExecutor executor = new SerializingExecutor(Runnable::run);
    executor.execute(() -> log.add("first"));
    executor.execute(() -> {
      throw new IllegalStateException("test: a callback failed");
    });
    executor.execute(() -> log.add("third"));
    assertEquals(List.of("first", "third"), log);
  }

  @Test
  void aRejectedDrainIsRethrownAndTheExecutorRecovers() {
    ConcurrentLinkedQueue<Runnable> accepted = new ConcurrentLinkedQueue<>();
    AtomicBoolean reject = new AtomicBoolean(true);
    SerializingExecutor executor = new SerializingExecutor(task -> {
      if (reject.get()) {
        throw new RejectedExecutionException("test: shut down");
      }
      accepted.add(task);
    });
    List<String> log = new ArrayList<>();
    RejectedExecutionException e = assertThrows(
        RejectedExecutionException.class, () -> executor.execute(() -> log.add("dropped")));
    assertEquals("test: shut down", e.getMessage());

    reject.set(false);
    executor.execute(() -> log.add("runs"));
    assertEquals(1, accepted.size(), "the flag was reset, so a new drain was submitted");
    accepted.poll().run();
    assertEquals(List.of("runs"), log);
  }

  @Test
  void exposesNoInheritedPublicApi() {
    assertSame(Object.class, SerializingExecutor.class.getSuperclass());
    assertEquals(List.of(java.util.concurrent.Executor.class),
        Arrays.asList(SerializingExecutor.class.getInterfaces()));
    Set<String> publicMethods = new TreeSet<>();
    for (Method m : SerializingExecutor.class.getMethods()) {
      if (m.getDeclaringClass() != Object.class && Modifier.isPublic(m.getModifiers())) {
        publicMethods.add(m.getName());
      }
    }
    assertEquals(Set.of("execute", "runIfIdle"), publicMethods);
  }

  @Test
  void runIfIdleRunsOnTheCallingThreadWhenNothingIsQueued() {
    ConcurrentLinkedQueue<Runnable> delegate = new ConcurrentLinkedQueue<>();
    SerializingExecutor executor = new SerializingExecutor(delegate::add);
    List<Thread> ranOn = new ArrayList<>();
    assertTrue(executor.runIfIdle(() -> ranOn.add(Thread.currentThread())));
    assertEquals(List.of(Thread.currentThread()), ranOn);
    assertTrue(delegate.isEmpty(), "nothing was handed to the delegate");
    executor.execute(() -> ranOn.add(null));
    assertEquals(1, delegate.size(), "idle again afterwards: the next task schedules a drain");
  }

  @Test
  void runIfIdleDoesNothingWhileATaskIsQueuedOrRunning() {
    ConcurrentLinkedQueue<Runnable> delegate = new ConcurrentLinkedQueue<>();
    SerializingExecutor executor = new SerializingExecutor(delegate::add);
    List<String> log = new ArrayList<>();
    executor.execute(() -> log.add("queued"));
    assertFalse(executor.runIfIdle(() -> log.add("inline")));
    delegate.poll().run();
    assertEquals(List.of("queued"), log);
  }

  @Test
  void tasksSubmittedDuringAnInlineRunFollowItOnTheDelegate() {
    ConcurrentLinkedQueue<Runnable> delegate = new ConcurrentLinkedQueue<>();
    SerializingExecutor executor = new SerializingExecutor(delegate::add);
    List<String> log = new ArrayList<>();
    assertTrue(executor.runIfIdle(() -> {
      executor.execute(() -> log.add("after"));
      log.add("inline");
    }));
    assertEquals(List.of("inline"), log);
    assertEquals(1, delegate.size());
    delegate.poll().run();
    assertEquals(List.of("inline", "after"), log);
  }
}
