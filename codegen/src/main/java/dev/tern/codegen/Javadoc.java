package dev.tern.codegen;

import java.util.ArrayList;
import java.util.List;

/** Turns proto comments into Javadoc text that cannot break out of, or confuse, the comment. */
final class Javadoc {
  private Javadoc() {}

  /**
   * Escapes {@code text} for a Javadoc body: HTML specials become entities so the comment shows
   * literally; {@code @} cannot start a block tag or inline tag; {@code *}{@code /} cannot end the
   * comment; {@code \} cannot start a Unicode escape (javac decodes those even inside comments);
   * non-ASCII characters become numeric entities so the file is the same in any encoding.
   */
  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      switch (cp) {
        case '&':
          sb.append("&amp;");
          break;
        case '<':
          sb.append("&lt;");
          break;
        case '>':
          sb.append("&gt;");
          break;
        case '@':
          sb.append("&#64;");
          break;
        case '\\':
          sb.append("&#92;");
          break;
        case '/':
          // Only "*/" is dangerous; the '*' was appended already.
          if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '*') {
            sb.append("&#47;");
          } else {
            sb.append('/');
          }
          break;
        case '\t':
          sb.append("  ");
          break;
        default:
          if (cp < 0x20 || cp == 0x7f) {
            sb.append(' ');
          } else if (cp > 0x7e) {
            sb.append("&#").append(cp).append(';');
          } else {
            sb.append((char) cp);
          }
      }
    }
    return sb.toString();
  }

  /**
   * The lines of a proto comment as a {@code <pre>} block (escaped, trailing blank lines
   * dropped), or an empty list for a blank comment.
   */
  static List<String> preBlock(String protoComment) {
    List<String> lines = new ArrayList<>();
    if (protoComment == null || protoComment.isBlank()) {
      return lines;
    }
    String[] raw = protoComment.split("\r\n|\r|\n", -1);
    int end = raw.length;
    while (end > 0 && raw[end - 1].isBlank()) {
      end--;
    }
    int start = 0;
    while (start < end && raw[start].isBlank()) {
      start++;
    }
    // protoc keeps the space after "//"; drop the indentation all lines share.
    int common = Integer.MAX_VALUE;
    for (int i = start; i < end; i++) {
      if (!raw[i].isBlank()) {
        int n = 0;
        while (n < raw[i].length() && raw[i].charAt(n) == ' ') {
          n++;
        }
        common = Math.min(common, n);
      }
    }
    lines.add("<pre>");
    for (int i = start; i < end; i++) {
      String l = stripTrailing(raw[i]);
      lines.add(escape(l.length() >= common ? l.substring(common) : l));
    }
    lines.add("</pre>");
    return lines;
  }

  /** Breaks {@code text} at spaces into lines of at most {@code width} characters. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String word : text.split(" ")) {
      if (current.length() > 0 && current.length() + 1 + word.length() > width) {
        lines.add(current.toString());
        current.setLength(0);
      }
      if (current.length() > 0) {
        current.append(' ');
      }
      current.append(word);
    }
    lines.add(current.toString());
    return lines;
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
