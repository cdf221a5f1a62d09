/**
 * The stub layer: the call styles generated code and applications use on top of the call API of
 * {@link dev.tern} (the role of grpc-java's {@code io.grpc.stub}).
 *
 * <ul>
 *   <li>Client: {@link dev.tern.stub.ClientCalls} (blocking, {@link dev.tern.stub.StreamObserver}
 *       async and {@link java.util.concurrent.CompletableFuture} calls),
 *       {@link dev.tern.stub.AbstractStub} (the base of generated stubs) and
 *       {@link dev.tern.stub.CloseableIterator} (blocking server streaming).
 *   <li>Server: {@link dev.tern.stub.ServerCalls}, which turns observer-style service methods into
 *       {@link dev.tern.ServerCallHandler}s.
 *   <li>Both: {@link dev.tern.stub.StreamObserver} and its flow-control variants
 *       {@link dev.tern.stub.CallStreamObserver}, {@link dev.tern.stub.ClientCallStreamObserver},
 *       {@link dev.tern.stub.ServerCallStreamObserver} and
 *       {@link dev.tern.stub.ClientResponseObserver}.
 * </ul>
 *
 * <p>Everything here is built on the public API of {@code dev.tern} only; an application that
 * writes its own call adapters can do what these classes do.
 */
package dev.tern.stub;
