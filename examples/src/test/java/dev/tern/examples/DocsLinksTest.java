package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation navigable: every relative link in README.md, docs/*.md and the modules'
 * READMEs names a file that exists (and, for a Markdown file, a heading it has), and the README
 * stays a short front door that keeps what CI and the hooks read from it.
 */
class DocsLinksTest {
  /** Issue 13: the README keeps the front door only, at most ~200 lines. */
  private static final int README_MAX_LINES = 200;

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  private final Path root = Docs.root();
  private final Map<Path, Set<String>> anchors = new HashMap<>();

  @Test
  void everyRelativeLinkResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages()) {
      Matcher m = LINK.matcher(prose(Docs.read(page)));
      while (m.find()) {
        String target = m.group(1);
        if (SCHEME.matcher(target).find()) {
          continue;  // http(s), mailto: not ours to check
        }
        checked++;
        String problem = problem(page, target);
        if (problem != null) {
          broken.add(root.relativize(page) + ": (" + target + ") " + problem);
        }
      }
    }
    assertEquals(List.of(), broken);
    assertTrue(checked > 20, "found only " + checked + " relative links: is the parser broken?");
  }

  @Test
  void readmeStaysAFrontDoor() {
    String readme = Docs.read(root.resolve("README.md"));
    long lines = readme.lines().count();
    assertTrue(lines <= README_MAX_LINES,
        "README.md has " + lines + " lines; move detail into docs/ (at most " + README_MAX_LINES + ")");
    // CI (.ci/run) runs exactly the README's test command; the hooks read its Requirements.
    assertTrue(readme.contains("./mvnw -B verify"), "README.md must keep the test command");
    assertTrue(readme.contains("\n## Requirements\n"), "README.md must keep its Requirements");
  }

  /** README.md, docs/*.md, each module's README.md and each example application's. */
  private List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    try (Stream<Path> modules = Files.list(root)) {
      modules.map(dir -> dir.resolve("README.md")).filter(Files::isRegularFile)
          .filter(p -> !p.getParent().equals(root)).sorted().forEach(pages::add);
    }
    // The example applications under examples/ (examples/spring-boot, ...) have their own.
    try (Stream<Path> examples = Files.list(root.resolve("examples"))) {
      examples.map(dir -> dir.resolve("README.md")).filter(Files::isRegularFile).sorted()
          .forEach(pages::add);
    }
    return pages;
  }

  /** Why {@code target}, linked from {@code page}, does not resolve; null if it does. */
  private String problem(Path page, String target) {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path file = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
    if (!file.startsWith(root)) {
      return "points outside the repository";
    }
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (anchor != null && file.toString().endsWith(".md")
        && !anchors.computeIfAbsent(file, DocsLinksTest::headingAnchors).contains(anchor)) {
      return "no heading #" + anchor + " in " + root.relativize(file);
    }
    return null;
  }

  /** The anchors GitHub gives the headings of a Markdown file. */
  private static Set<String> headingAnchors(Path file) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : withoutFences(Docs.read(file)).split("\n")) {
      Matcher m = HEADING.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String slug = m.group(1).replace("`", "").toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }

  /** The text outside fenced code blocks and inline code spans, where links are links. */
  private static String prose(String markdown) {
    return withoutFences(markdown).replaceAll("`[^`\n]*`", "x");
  }

  private static String withoutFences(String markdown) {
    StringBuilder out = new StringBuilder();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (!fenced) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }
}
