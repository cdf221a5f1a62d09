package dev.tern.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's Markdown documentation, as the documentation tests read it. */
final class Docs {
  private Docs() {}

  /**
   * The repository root: the nearest directory at or above the working directory (the module's
   * directory under Maven) that holds both {@code mvnw} and {@code README.md}.
   */
  static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("README.md"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body of the first fenced code block of {@code language} in {@code markdown}. */
  static String firstCodeBlock(String markdown, String language) {
    String open = "```" + language + "\n";
    int start = markdown.indexOf(open);
    if (start < 0) {
      throw new AssertionError("no ```" + language + " block");
    }
    start += open.length();
    int end = markdown.indexOf("\n```", start);
    if (end < 0) {
      throw new AssertionError("unterminated ```" + language + " block");
    }
    return markdown.substring(start, end + 1);
  }
}
