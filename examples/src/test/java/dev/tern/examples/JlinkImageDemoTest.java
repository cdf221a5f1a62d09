package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Links a runtime image of only the JDK modules the demo needs and runs
 * {@code dev.tern.examples.Demo} from it as a named module, Tern's jars on the module path
 * (docs/modules.md). Opt-in (about 20 s): {@code -Pjlink} sets {@code tern.jlink=true}.
 */
class JlinkImageDemoTest {
  /** What jdeps --print-module-deps reports for Tern, Netty and protobuf-java. */
  private static final String JDK_MODULES = "java.base,java.naming,java.logging,jdk.unsupported";

  @Test
  void demoRunsFromAJlinkedImageAsANamedModule() throws Exception {
    assumeTrue(Boolean.getBoolean("tern.jlink"), "opt-in: run with -Pjlink (tern.jlink=true)");
    Path target = Path.of("target");
    Path image = target.resolve("jlink-image");
    deleteRecursively(image); // jlink refuses an existing output directory
    ToolProvider jlink = ToolProvider.findFirst("jlink").orElseThrow();
    StringWriter log = new StringWriter();
    int rc = jlink.run(new PrintWriter(log, true), new PrintWriter(log, true),
        "--add-modules", JDK_MODULES, "--strip-debug", "--no-header-files", "--no-man-pages",
        "--output", image.toString());
    assertEquals(0, rc, log.toString());

    // The main classes directory and the runtime jars; test-only entries stay out.
    String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> !p.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    Path output = target.resolve("jlink-demo.txt");
    Process demo = new ProcessBuilder(image.resolve("bin/java").toString(),
        "--module-path", modulePath, "--module", "dev.tern.examples/dev.tern.examples.Demo")
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    assertTrue(demo.waitFor(2, TimeUnit.MINUTES), "demo did not finish");
    String printed = Files.readString(output, StandardCharsets.UTF_8);
    assertEquals(0, demo.exitValue(), printed);
    assertTrue(printed.contains("<- Hello, world!"), printed);
    assertTrue(printed.contains("<- Hello, Ada, Grace, Linus!"), printed);
  }

  private static void deleteRecursively(Path root) throws java.io.IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }
}
