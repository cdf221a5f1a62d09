package dev.tern.testing;

import java.util.regex.Pattern;

/**
 * The leak gate for JVMs a test starts (launcher scripts): options that run their Netty leak
 * detector as strictly as the test JVM's, and the check that their output holds no leak report.
 * Netty logs a report as an error starting with {@code LEAK:} once a leaked buffer is collected.
 *
 * <p>Stateless; safe from any thread.
 */
public final class ChildJvmLeaks {
  /** JVM options for a child JVM; the launcher scripts take them from their *_OPTS variable. */
  public static final String JVM_OPTIONS =
      "-Dio.netty.leakDetection.level=paranoid -Dio.netty.leakDetection.targetRecords=8";

  private static final Pattern LEAK_REPORT = Pattern.compile("(?m)\\bLEAK: ");

  private ChildJvmLeaks() {}

  /** Fails if {@code output} (a child JVM's stdout and stderr) holds a Netty leak report. */
  public static void assertNoLeakReport(String child, CharSequence output) {
    if (LEAK_REPORT.matcher(output).find()) {
      throw new AssertionError(child + " reported leaked ByteBufs:\n" + output);
    }
  }
}
