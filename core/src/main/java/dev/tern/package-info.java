/**
 * Tern's public call API, transport-independent (the role of grpc-java's {@code io.grpc}):
 * {@link dev.tern.Channel} and {@link dev.tern.ClientCall} on the client,
 * {@link dev.tern.ServerCall} and {@link dev.tern.ServerCallHandler} on the server, the values
 * they exchange ({@link dev.tern.Status}, {@link dev.tern.Metadata},
 * {@link dev.tern.MethodDescriptor}, {@link dev.tern.Marshaller}, {@link dev.tern.CallOptions},
 * {@link dev.tern.Deadline}, {@link dev.tern.Context}), interceptors and attempt tracers.
 *
 * <p>Related packages: {@code dev.tern.stub} (the stub layer generated code uses:
 * {@code ClientCalls}, {@code ServerCalls}, {@code StreamObserver}, {@code AbstractStub}),
 * {@code dev.tern.netty} (the HTTP/2 transport: {@code TernChannel}, {@code TernServer}) and
 * {@code dev.tern.protobuf} (protobuf marshalling and rich error details). Packages named
 * {@code internal} are not API and may change at any time.
 */
package dev.tern;
