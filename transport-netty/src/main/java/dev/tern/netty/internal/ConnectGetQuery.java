package dev.tern.netty.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The query of a Connect unary GET (connectrpc.com docs/protocol.md "Unary-Get-Request"):
 * {@code message} (percent-encoded, or base64url when {@code base64=1}), {@code encoding},
 * {@code compression} and {@code connect=v1}. Immutable.
 *
 * @param message the request message's bytes (possibly compressed)
 * @param encoding the message codec name ({@code proto}, {@code json})
 * @param compression the message's compression, or null
 */
record ConnectGetQuery(byte[] message, String encoding, String compression) {
  /**
   * Parses {@code query} (null: none).
   *
   * @throws IllegalArgumentException naming what is missing or malformed
   */
  static ConnectGetQuery parse(String query) {
    byte[] message = null;
    String encoding = null;
    String compression = null;
    boolean base64 = false;
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        byte[] value = percentDecode(eq < 0 ? "" : pair.substring(eq + 1));
        switch (key) {
          case "message" -> message = value;
          case "encoding" -> encoding = new String(value, StandardCharsets.UTF_8);
          case "compression" -> compression = new String(value, StandardCharsets.UTF_8);
          case "base64" -> base64 = "1".equals(new String(value, StandardCharsets.UTF_8));
          case "connect" -> {
            String v = new String(value, StandardCharsets.UTF_8);
            if (!"v1".equals(v)) {
              throw new IllegalArgumentException("Unsupported connect query value '" + v
                  + "'; expected v1");
            }
          }
          default -> { }
        }
      }
    }
    if (message == null) {
      throw new IllegalArgumentException("GET request has no 'message' query parameter");
    }
    if (encoding == null) {
      throw new IllegalArgumentException("GET request has no 'encoding' query parameter");
    }
    if (base64) {
      try {
        message = Base64.getUrlDecoder().decode(message);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Query parameter 'message' is not valid base64url: "
            + e.getMessage(), e);
      }
    }
    return new ConnectGetQuery(message, encoding, compression);
  }

  private static byte[] percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("Truncated percent-encoding in the query");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("Malformed percent-encoding in the query");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
