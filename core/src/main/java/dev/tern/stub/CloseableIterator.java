package dev.tern.stub;

import dev.tern.StatusRuntimeException;
import java.util.Iterator;

/**
 * The responses of a blocking server-streaming call. {@link #hasNext} and {@link #next} block
 * until a response, the end of the stream or an error arrives; an error is thrown as a
 * {@link StatusRuntimeException}. Use it in try-with-resources: {@link #close} cancels the call if
 * the stream was not read to its end.
 *
 * <pre>{@code
 * try (CloseableIterator<Feature> features = stub.listFeatures(rect)) {
 *   while (features.hasNext()) {
 *     if (handle(features.next())) {
 *       break; // close() cancels the rest of the stream
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: use it from one thread, except {@link #close}, which any thread may call.
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
  /** Cancels the call unless it already ended; idempotent. */
  @Override
  void close();
}
