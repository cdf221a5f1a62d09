package dev.tern.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leaked {@code ByteBuf}.
 *
 * <p>Registered for every test through JUnit's extension auto-detection (see the surefire
 * configuration in the root pom). Netty only reports a leak after the leaked buffer has been
 * garbage collected and a later allocation polls the detector's reference queue, so after each
 * class this extension forces collections and allocations, then fails with the collected reports.
 * Because test classes run in parallel, the class that fails is the one during or after which the
 * leak was noticed; the report's access records name the code that leaked.
 *
 * <p>Thread-safe: reports arrive from whichever thread allocates.
 */
public final class LeakDetectorExtension implements AfterAllCallback {
  private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  /** For JUnit's extension auto-detection (ServiceLoader). */
  public LeakDetectorExtension() {}

  /** Call from code that must make sure the detector is installed before Netty initialises. */
  public static void install() {
    // The static initializer does the work.
  }

  @Override
  public void afterAll(ExtensionContext context) {
    String report = collectLeaks();
    if (report != null) {
      throw new AssertionError("Netty reported leaked ByteBufs:\n" + report);
    }
  }

  /** Forces the detector to look for leaks now and returns their reports, or null if none. */
  public static String collectLeaks() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      pollDetector();
    }
    List<String> found = new ArrayList<>();
    for (String leak; (leak = LEAKS.poll()) != null; ) {
      found.add(leak);
    }
    return found.isEmpty() ? null : String.join("\n\n", found);
  }

  private static void pollDetector() {
    // Each tracked allocation drains the detector's reference queue (PARANOID tracks all).
    for (int i = 0; i < 8; i++) {
      ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(8);
      pooled.release();
      ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(8);
      direct.release();
      ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
      unpooled.release();
    }
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval) {
      return new RecordingDetector<>(resource, samplingInterval);
    }

    // Deprecated but abstract in Netty 4.2, so it must be implemented; maxActive is unused there.
    @SuppressWarnings("deprecation")
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return newResourceLeakDetector(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add("LEAK: " + resourceType + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add("LEAK: " + resourceType + " (untraced)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
