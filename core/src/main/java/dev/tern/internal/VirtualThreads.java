package dev.tern.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;

/**
 * Virtual threads (JDK 21+, JEP 444) looked up at run time, so that Tern, compiled for Java 17,
 * can use them where the JVM has them. Thread-safe: the lookup happens once, at class
 * initialization.
 */
public final class VirtualThreads {
  /** The JDK release that made virtual threads final (JEP 444). */
  public static final int REQUIRED_FEATURE_RELEASE = 21;

  /** {@code Executors.newVirtualThreadPerTaskExecutor()}, or null before JDK 21. */
  private static final MethodHandle NEW_PER_TASK_EXECUTOR = lookup();

  private VirtualThreads() {}

  private static MethodHandle lookup() {
    try {
      return MethodHandles.publicLookup().findStatic(java.util.concurrent.Executors.class,
          "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // JDK 17-20: no virtual threads (or only as a preview, which we do not use)
    }
  }

  /** Whether this JVM has virtual threads. */
  public static boolean isAvailable() {
    return NEW_PER_TASK_EXECUTOR != null;
  }

  /**
   * An executor that starts a new virtual thread for each task.
   *
   * @throws IllegalStateException before JDK 21, naming the requirement and the running JDK
   */
  public static ExecutorService newPerTaskExecutor() {
    if (NEW_PER_TASK_EXECUTOR == null) {
      throw new IllegalStateException("Virtual threads need JDK " + REQUIRED_FEATURE_RELEASE
          + " or later; this JVM is Java " + Runtime.version().feature() + " ("
          + System.getProperty("java.vm.name") + " " + Runtime.version() + ")");
    }
    try {
      return (ExecutorService) NEW_PER_TASK_EXECUTOR.invokeExact();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("Executors.newVirtualThreadPerTaskExecutor() failed", t);
    }
  }
}
