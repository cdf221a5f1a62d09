package dev.tern.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The leak gate's failing path: a test class that leaks a buffer is run through the JUnit
 * Platform launcher, with the extension registered by auto-detection as in the build, and must
 * end FAILED with the leak report naming the leak. Isolated: the deliberate leak must not be
 * noticed by another class's gate.
 */
@Isolated
class LeakGateFailsClassTest {
  /** The leak's hint; the fixture runs only while it is set (by the test below). */
  private static volatile String fixtureHint;

  @Test
  void classThatLeaksFailsWithTheLeakReport() {
    // Unique: Netty reports a leak with identical records only once per JVM.
    String hint = "deliberate leak " + UUID.randomUUID();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(LeakingFixture.class))
        // As surefire and failsafe configure it: the gate registers itself through auto-detection.
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .build();
    Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
    Launcher launcher = LauncherFactory.create();
    fixtureHint = hint;
    try {
      launcher.execute(request, new TestExecutionListener() {
        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
          results.put(id.getLegacyReportingName(), result);
        }
      });
    } finally {
      fixtureHint = null;
    }

    TestExecutionResult test = results.get("leaksOneBuffer()");
    assertNotNull(test, "fixture test did not run: " + results);
    assertEquals(TestExecutionResult.Status.SUCCESSFUL, test.getStatus(), test::toString);
    TestExecutionResult fixture = results.get(LeakingFixture.class.getName());
    assertNotNull(fixture, "fixture class did not run: " + results);
    assertEquals(TestExecutionResult.Status.FAILED, fixture.getStatus(),
        "the leak gate must fail the class that leaked");
    Throwable failure = fixture.getThrowable().orElseThrow();
    assertTrue(failure instanceof AssertionError, failure::toString);
    assertTrue(failure.getMessage().startsWith("Netty reported leaked ByteBufs"),
        failure::getMessage);
    assertTrue(failure.getMessage().contains(hint), failure::getMessage);
  }

  /** Leaks one buffer; only run through the launcher above (surefire skips nested classes). */
  @EnabledIf("launchedByGateTest")
  static final class LeakingFixture {
    static boolean launchedByGateTest() {
      return fixtureHint != null;
    }

    @Test
    void leaksOneBuffer() throws InterruptedException {
      ReferenceQueue<ByteBuf> collected = new ReferenceQueue<>();
      // Kept: a WeakReference that is itself unreachable is never enqueued.
      WeakReference<ByteBuf> leaked = leak(fixtureHint, collected);
      // Wait until the dropped buffer is collected, so the gate after this class sees it.
      Reference<? extends ByteBuf> cleared = null;
      for (int i = 0; i < 50 && cleared == null; i++) {
        System.gc();
        cleared = collected.remove(100);
      }
      assertSame(leaked, cleared, "the leaked buffer was never collected");
    }

    private static WeakReference<ByteBuf> leak(String hint, ReferenceQueue<ByteBuf> queue) {
      ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
      leaked.writeLong(42);
      leaked.touch(hint);
      // Dropped without release().
      return new WeakReference<>(leaked, queue);
    }
  }
}
