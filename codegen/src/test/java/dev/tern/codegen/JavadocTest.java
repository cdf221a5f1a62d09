package dev.tern.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JavadocTest {
  @Test
  void escapesWhatCouldEndOrBreakTheComment() {
    assertEquals("a *&#47; b", Javadoc.escape("a */ b"));
    assertEquals("&#64;param x {&#64;link Y}", Javadoc.escape("@param x {@link Y}"));
    assertEquals("&lt;b&gt;x&lt;/b&gt; &amp;amp;", Javadoc.escape("<b>x</b> &amp;"));
    assertEquals("&#92;u002A/", Javadoc.escape("\\u002A/"));
    assertEquals("caf&#233; &#128512;", Javadoc.escape("caf\u00e9 \ud83d\ude00"));
    assertEquals("a/b */", Javadoc.escape("a/b */").replace("&#47;", "/"));
  }

  @Test
  void preBlockDedentsAndTrimsBlankEdges() {
    assertEquals(List.of("<pre>", "First line.", "  indented", "", "Last.", "</pre>"),
        Javadoc.preBlock("\n First line.\n   indented\n\n Last.\n\n"));
    assertTrue(Javadoc.preBlock("  \n").isEmpty());
    assertTrue(Javadoc.preBlock(null).isEmpty());
  }

  @Test
  void wrapBreaksAtSpaces() {
    assertEquals(List.of("aaa bbb", "ccc"), Javadoc.wrap("aaa bbb ccc", 8));
  }
}
