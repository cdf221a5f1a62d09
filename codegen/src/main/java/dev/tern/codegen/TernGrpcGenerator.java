package dev.tern.codegen;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.Edition;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.JavaFeaturesProto;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The Tern protoc plugin: reads a {@code CodeGeneratorRequest} from standard input and writes a
 * {@code CodeGeneratorResponse} with one Java class per service to standard output.
 *
 * <p><b>What it generates.</b> For service {@code Greeter} in a file whose Java package is
 * {@code p} (its {@code java_package} option, else its proto package), the top-level class
 * {@code p.GreeterTern} in its own file {@code p/GreeterTern.java}, whatever
 * {@code java_multiple_files} says (like grpc-java's {@code GreeterGrpc}). It contains:
 * <ul>
 *   <li>{@code SERVICE_NAME}, a static getter per method ({@code getSayHelloMethod()}, a
 *       {@code dev.tern.MethodDescriptor} with protobuf marshallers) and
 *       {@code getServiceDescriptor()}, whose schema descriptors are protobuf's
 *       {@code Descriptors} for the service and its methods (unless the file is lite);
 *   <li>{@code AsyncService}, an interface with one default method per RPC answering
 *       UNIMPLEMENTED, {@code GreeterImplBase} implementing it with {@code bindService()}, and
 *       the static {@code bindService(AsyncService)};
 *   <li>{@code GreeterStub} (async, all four call types), {@code GreeterBlockingStub} (unary,
 *       and server streaming as a closeable iterator) and {@code GreeterFutureStub} (unary, as
 *       {@code CompletableFuture}), made by {@code newStub}, {@code newBlockingStub} and
 *       {@code newFutureStub}.
 * </ul>
 * Java method names are the RPC names with a lower-case first letter ({@code SayHello} →
 * {@code sayHello}); names that are Java keywords get a trailing underscore. Message classes
 * are named as protoc's Java generator names them (see {@link JavaNames}), so the output
 * compiles next to {@code --java_out}. Besides that output, the generated code uses only Tern's
 * public API ({@code dev.tern.*} and {@code dev.tern.protobuf.ProtoMarshaller}).
 *
 * <p>Supports proto2, proto3 (including {@code optional}) and editions up to 2024.
 */
public final class TernGrpcGenerator {
  private TernGrpcGenerator() {}

  public static void main(String[] args) throws IOException {
    CodeGeneratorRequest request;
    try (InputStream in = new BufferedInputStream(System.in)) {
      request = parseRequest(in);
    }
    CodeGeneratorResponse response = generate(request);
    OutputStream out = new BufferedOutputStream(System.out);
    response.writeTo(out);
    out.flush();
  }

  /** Parses a request, recognising the Java features extension (for edition 2024 names). */
  static CodeGeneratorRequest parseRequest(InputStream in) throws IOException {
    // Initialise descriptor.proto's classes before java_features.proto's: in the other order
    // protobuf-java's static initialisers reach a half-built JavaFeaturesProto and fail.
    DescriptorProtos.getDescriptor();
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    registry.add(JavaFeaturesProto.java_);
    return CodeGeneratorRequest.parseFrom(in, registry);
  }

  /** Generates the response for a request; input problems become the response's error. */
  static CodeGeneratorResponse generate(CodeGeneratorRequest request) {
    CodeGeneratorResponse.Builder response = CodeGeneratorResponse.newBuilder()
        .setSupportedFeatures(CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL_VALUE
            | CodeGeneratorResponse.Feature.FEATURE_SUPPORTS_EDITIONS_VALUE)
        .setMinimumEdition(Edition.EDITION_PROTO2_VALUE)
        .setMaximumEdition(Edition.EDITION_2024_VALUE);
    try {
      JavaNames names = new JavaNames(request.getProtoFileList());
      Map<String, FileDescriptorProto> byName = new HashMap<>();
      for (FileDescriptorProto file : request.getProtoFileList()) {
        byName.put(file.getName(), file);
      }
      for (String fileName : request.getFileToGenerateList()) {
        FileDescriptorProto file = byName.get(fileName);
        if (file == null) {
          throw new GeneratorException("protoc sent no descriptor for " + fileName);
        }
        for (int i = 0; i < file.getServiceCount(); i++) {
          ServiceGenerator generator = new ServiceGenerator(file, i, names);
          response.addFile(CodeGeneratorResponse.File.newBuilder()
              .setName(generator.fileName())
              .setContent(generator.generate()));
        }
      }
    } catch (GeneratorException e) {
      return response.clearFile().setError(e.getMessage()).build();
    }
    return response.build();
  }
}
