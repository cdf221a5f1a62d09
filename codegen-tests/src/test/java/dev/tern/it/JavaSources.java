package dev.tern.it;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Compiles Java sources in-process against the test classpath. */
final class JavaSources {
  private JavaSources() {}

  /** The outcome of a compilation. */
  record Result(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics,
      String output) {
    String describe() {
      StringBuilder sb = new StringBuilder(output);
      for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
        sb.append('\n').append(d.getKind()).append(' ')
            .append(d.getSource() == null ? "" : d.getSource().getName()).append(':')
            .append(d.getLineNumber()).append(' ').append(d.getMessage(Locale.ROOT));
      }
      return sb.toString();
    }
  }

  /** The *Tern.java files protobuf-maven-plugin generated for this module's tests. */
  static List<Path> generatedTernSources() throws IOException {
    Path dir = Path.of(System.getProperty("tern.generated.dir",
        "target/generated-test-sources/protobuf"));
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith("Tern.java")).sorted().toList();
    }
  }

  static Result compile(List<Path> sources, Path outputDir, String... extraOptions)
      throws IOException {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter output = new StringWriter();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
        java.nio.charset.StandardCharsets.UTF_8)) {
      List<String> options = new ArrayList<>(List.of(
          "--release", "17",
          "-classpath", testClassPath(),
          "-d", outputDir.toString(),
          "-proc:none"));
      options.addAll(List.of(extraOptions));
      boolean ok = compiler.getTask(output, files, diagnostics, options, null,
          files.getJavaFileObjectsFromPaths(sources)).call();
      return new Result(ok, diagnostics.getDiagnostics(), output.toString());
    }
  }

  private static String testClassPath() {
    // Surefire runs tests from a manifest-only jar; it passes the real test classpath here.
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path");
  }
}
