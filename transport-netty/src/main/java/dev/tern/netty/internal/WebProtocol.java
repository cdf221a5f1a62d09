package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPromise;

/**
 * How one browser-facing protocol (gRPC-Web, Connect unary, Connect streaming) carries a call over
 * a {@link WebExchange}: it turns the request body into gRPC length-prefixed messages for
 * {@link MessageReader}, and the call's response headers, framed messages and status into the
 * protocol's response. One instance per call.
 *
 * <p>Not thread-safe: event loop only.
 */
interface WebProtocol {
  /**
   * Request body bytes (owned by the callee) as length-prefixed messages (owned by the caller),
   * possibly empty.
   *
   * @throws dev.tern.StatusRuntimeException for malformed input
   */
  ByteBuf requestBytes(ByteBuf body);

  /**
   * The request ended: any last length-prefixed bytes (e.g. a unary Connect body, framed), or an
   * empty buffer.
   *
   * @throws dev.tern.StatusRuntimeException for malformed input
   */
  ByteBuf requestEnded();

  /** Response headers from the application (null: none), before the first message. */
  void writeHeaders(WebExchange exchange, Metadata headers);

  /** One framed response message (owned by the callee). */
  void writeMessage(WebExchange exchange, ByteBuf frame, ChannelPromise promise);

  /**
   * The call's status and trailers, ending the response. {@code headersWritten}: whether
   * {@link #writeHeaders} ran.
   */
  void writeStatus(WebExchange exchange, boolean headersWritten, Status status,
      Metadata trailers);

  /** Releases what the protocol holds (buffered request or response bytes). Idempotent. */
  void release();
}
