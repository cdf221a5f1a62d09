package dev.tern.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.Diagnostic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated classes compile with every lint enabled and warnings as errors (the message
 * classes from protoc's Java output are on the classpath, compiled already).
 */
class GeneratedCodeCompilesTest {
  @TempDir Path out;

  @Test
  void generatedSourcesCompileWithAllLintsAsErrors() throws Exception {
    List<Path> sources = JavaSources.generatedTernSources();
    assertEquals(12, sources.size(), "one class per service in src/test/proto: " + sources);
    JavaSources.Result result = JavaSources.compile(sources, out, "-Xlint:all", "-Werror");
    assertTrue(result.success(), result.describe());
    assertTrue(result.diagnostics().stream().noneMatch(d -> d.getKind() != Diagnostic.Kind.NOTE),
        result.describe());
  }

  @Test
  void generatedSourcesStayAsciiAndWithinReason() throws Exception {
    for (Path source : JavaSources.generatedTernSources()) {
      String text = Files.readString(source);
      assertTrue(text.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)),
          source + " has non-ASCII or control characters");
      assertFalse(text.contains("\t"), source + " has tabs");
    }
  }
}
