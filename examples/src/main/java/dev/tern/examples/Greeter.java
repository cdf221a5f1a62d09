package dev.tern.examples;

import com.google.protobuf.StringValue;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCalls;
import dev.tern.ServerServiceDefinition;
import dev.tern.protobuf.ProtoMarshaller;

/**
 * The Greeter service's descriptor and binding, written by hand: one unary method,
 * {@code tern.examples.Greeter/SayHello}, taking and returning {@code google.protobuf.StringValue}.
 *
 * <p>This is the code tern-codegen generates from a {@code .proto} file; once the examples use
 * generated stubs, this class goes away and {@link GreeterService} extends the generated base.
 */
public final class Greeter {
  public static final String SERVICE_NAME = "tern.examples.Greeter";

  public static final MethodDescriptor<StringValue, StringValue> SAY_HELLO =
      MethodDescriptor.newBuilder(
              ProtoMarshaller.of(StringValue.getDefaultInstance()),
              ProtoMarshaller.of(StringValue.getDefaultInstance()))
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "SayHello"))
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();

  private Greeter() {}

  /** The service definition a server serves: each method bound to its implementation. */
  public static ServerServiceDefinition bindService(GreeterService service) {
    return ServerServiceDefinition.builder(SERVICE_NAME)
        .addMethod(SAY_HELLO, ServerCalls.asyncUnaryCall(service::sayHello))
        .build();
  }
}
