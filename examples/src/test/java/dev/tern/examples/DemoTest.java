package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keeps the README's demo working: it runs and prints every exchange it promises. */
class DemoTest {
  @Test
  void demoMakesEveryCallTypeAndShowsAFailureAndADeadline() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String output = bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");

    assertContains(output, "1. Unary call, blocking stub: SayHello(\"world\")\n"
        + "  <- Hello, world!\n");
    assertContains(output, "  <- Hello #1, Ada!\n  <- Hello #2, Ada!\n  <- Hello #3, Ada!\n\n");
    assertContains(output, "  -> Ada\n  -> Grace\n  -> Linus\n"
        + "  <- Hello, Ada, Grace, Linus!\n  <- status OK\n");
    assertContains(output, "  -> Ada\n  <- Hello, Ada! You are number 1 in this chat.\n"
        + "  -> Grace\n  <- Hello, Grace! You are number 2 in this chat.\n  <- status OK\n");
    assertContains(output, "  <- Hello, Ada!\n  <- Hello, Grace!\n");
    assertContains(output, "  <- status INVALID_ARGUMENT: name must not be empty"
        + " (100% of greetings need one ✓)\n  <- trailer x-bad-field: name\n");
    assertContains(output, "  -> Dana\n  <- status DEADLINE_EXCEEDED");
    assertContains(output, "\nshut down cleanly\n");
  }

  private static void assertContains(String output, String expected) {
    assertTrue(output.contains(expected), () -> "expected\n" + expected + "\nin\n" + output);
  }
}
