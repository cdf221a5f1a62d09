/**
 * The stub layer: the call styles generated code and applications use on top of the call API of
 * {@link dev.tern} (the role of grpc-java's {@code io.grpc.stub}).
 *
 * <ul>
 *   <li>Client: {@link dev.tern.stub.ClientCalls} (blocking, {@link dev.tern.stub.StreamObserver}
 *       async and {@link java.util.concurrent.CompletableFuture} calls),
 *       {@link dev.tern.stub.AbstractStub} (the base of generated stubs) and
 *       {@link dev.tern.stub.CloseableIterator} (blocking server streaming),
 *       {@link dev.tern.stub.BlockingClientCall} (blocking client and bidi streaming).
 *   <li>Server: {@link dev.tern.stub.ServerCalls}, which turns observer-style service methods into
 *       {@link dev.tern.ServerCallHandler}s; {@link dev.tern.stub.BlockingServerCalls}, the same
 *       for plain blocking methods reading a {@link dev.tern.stub.MessageSource} and writing a
 *       {@link dev.tern.stub.MessageSink}, with {@link dev.tern.stub.ServerCallInfo} for the
 *       call's metadata.
 *   <li>Both: {@link dev.tern.stub.StreamObserver} and its flow-control variants
 *       {@link dev.tern.stub.CallStreamObserver}, {@link dev.tern.stub.ClientCallStreamObserver},
 *       {@link dev.tern.stub.ServerCallStreamObserver} and
 *       {@link dev.tern.stub.ClientResponseObserver}.
 * </ul>
 *
 * <p>Everything here is built on the public API of {@code dev.tern}, so an application that
 * writes its own call adapters can do what these classes do; the one exception is that blocking
 * handlers find the server's executor through a connection attribute internal to Tern.
 */
package dev.tern.stub;
