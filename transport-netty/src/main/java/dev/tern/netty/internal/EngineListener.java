package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.concurrent.CompletableFuture;

/**
 * What the retry engine ({@link RetriableCall}) tells its call, and asks of it: the committed
 * attempt's response, readiness, the outcome once, and the connection and request headers for
 * each new attempt. Implemented by {@link ClientCallImpl}.
 *
 * <p>Thread rule: called from event loops, the engine's timer or the application's thread, never
 * under the engine's monitor (except {@link #requestHeaders}, which only builds headers).
 */
interface EngineListener {
  void onHeaders(Metadata headers);

  /**
   * A response message of the committed attempt; the listener must release it. A message read
   * ahead carries the window {@code credit} to give back (with
   * {@link ClientAttempt#handedOut}) once the application took it; otherwise credit is 0 and
   * {@code readAhead} false.
   */
  void onMessage(ClientAttempt from, ByteBuf message, boolean compressed, int wireSize,
      int seqNo, int credit, boolean readAhead);

  void onReady();

  /** Runs {@code task} after the messages delivered so far, even if the call ends first. */
  void afterDelivered(Runnable task);

  /** The call's outcome, once. */
  void onClose(Status status, Metadata trailers);

  /** The connection a new attempt goes to (or one being opened). */
  CompletableFuture<ClientHandler> connection();

  /** Request headers for {@code metadata} (a later attempt's, or with tracers' additions). */
  Http2Headers requestHeaders(Metadata metadata);
}
