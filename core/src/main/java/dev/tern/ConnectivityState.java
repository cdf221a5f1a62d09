package dev.tern;

/**
 * The connectivity state of a channel (grpc doc/connectivity-semantics-and-api.md).
 *
 * <ul>
 *   <li>{@link #IDLE}: no connection and none being made; the next call (or
 *       {@code getState(true)}) starts one.
 *   <li>{@link #CONNECTING}: a connection is being made (TCP, TLS, the HTTP/2 handshake).
 *   <li>{@link #READY}: a connection is up; calls go out at once.
 *   <li>{@link #TRANSIENT_FAILURE}: the last attempt failed and the next waits for its backoff;
 *       calls fail at once with UNAVAILABLE unless they are wait-for-ready, which wait.
 *   <li>{@link #SHUTDOWN}: the channel was shut down; new calls fail.
 * </ul>
 *
 * <p>Immutable; read and watched from any thread.
 */
public enum ConnectivityState {
  IDLE,
  CONNECTING,
  READY,
  TRANSIENT_FAILURE,
  SHUTDOWN
}
