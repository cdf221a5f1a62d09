package dev.tern.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of {@code grpc-message} (PROTOCOL-HTTP2.md "Status-Message"): the UTF-8 bytes
 * of the message, with every byte outside 0x20-0x7E and '%' itself written as %XX. Decoding never
 * fails: a malformed escape is kept literally, as the spec asks receivers to be lenient.
 * Stateless and thread-safe.
 */
public final class StatusMessageCodec {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private StatusMessageCodec() {}

  public static String encode(String message) {
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (c < 0x20 || c >= 0x7F || c == '%') {
        return encodeSlow(message.getBytes(StandardCharsets.UTF_8));
      }
    }
    return message;
  }

  private static String encodeSlow(byte[] utf8) {
    StringBuilder sb = new StringBuilder(utf8.length + 16);
    for (byte b : utf8) {
      int v = b & 0xFF;
      if (v < 0x20 || v >= 0x7F || v == '%') {
        sb.append('%').append((char) HEX[v >> 4]).append((char) HEX[v & 0xF]);
      } else {
        sb.append((char) v);
      }
    }
    return sb.toString();
  }

  public static String decode(CharSequence encoded) {
    boolean plain = true;
    for (int i = 0; i < encoded.length(); i++) {
      if (encoded.charAt(i) == '%') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return encoded.toString();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%' && i + 2 < encoded.length()) {
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write((hi << 4) | lo);
          i += 2;
          continue;
        }
      }
      // Header values are ISO-8859-1 octets; keep them as they are.
      out.write(c & 0xFF);
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }
}
