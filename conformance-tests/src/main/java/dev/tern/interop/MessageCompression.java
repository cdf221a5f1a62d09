package dev.tern.interop;

import dev.tern.ServerCall;

/**
 * Whether a received request message was compressed, for the CompressedRequest server feature.
 * Stateless and thread-safe.
 */
final class MessageCompression {
  private MessageCompression() {}

  /**
   * Whether the message being delivered to {@code call}'s listener arrived with the compressed
   * flag set. Until the transport reports the flag, every message counts as uncompressed: the
   * probes of client_compressed_* pass, their compressed calls fail.
   */
  static boolean wasCompressed(ServerCall<?, ?> call) {
    return false;
  }
}
