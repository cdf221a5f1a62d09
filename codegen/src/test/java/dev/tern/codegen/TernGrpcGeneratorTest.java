package dev.tern.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.Edition;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class TernGrpcGeneratorTest {
  private static FileDescriptorProto greeterFile(FileOptions options) {
    return FileDescriptorProto.newBuilder()
        .setName("hello/greeter.proto").setPackage("hello").setSyntax("proto3")
        .setOptions(options)
        .addMessageType(DescriptorProto.newBuilder().setName("Req"))
        .addMessageType(DescriptorProto.newBuilder().setName("GreeterTern"))
        .addService(ServiceDescriptorProto.newBuilder().setName("Greeter")
            .addMethod(MethodDescriptorProto.newBuilder().setName("Hi")
                .setInputType(".hello.Req").setOutputType(".hello.Req")))
        .build();
  }

  private static CodeGeneratorResponse run(FileDescriptorProto file) throws Exception {
    CodeGeneratorRequest request = CodeGeneratorRequest.newBuilder()
        .addFileToGenerate(file.getName()).addProtoFile(file).build();
    // Through the same parsing path as main().
    return TernGrpcGenerator.generate(
        TernGrpcGenerator.parseRequest(new ByteArrayInputStream(request.toByteArray())));
  }

  @Test
  void declaresProto3OptionalAndEditionsUpTo2024() throws Exception {
    CodeGeneratorResponse response = run(greeterFile(FileOptions.getDefaultInstance()));
    assertEquals(CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL_VALUE
            | CodeGeneratorResponse.Feature.FEATURE_SUPPORTS_EDITIONS_VALUE,
        response.getSupportedFeatures());
    assertEquals(Edition.EDITION_PROTO2_VALUE, response.getMinimumEdition());
    assertEquals(Edition.EDITION_2024_VALUE, response.getMaximumEdition());
  }

  @Test
  void writesOneFilePerServiceUnderTheJavaPackage() throws Exception {
    CodeGeneratorResponse response = run(greeterFile(FileOptions.getDefaultInstance()));
    assertFalse(response.hasError(), response.getError());
    assertEquals(1, response.getFileCount());
    assertEquals("hello/GreeterTern.java", response.getFile(0).getName());
    assertTrue(response.getFile(0).getContent().contains("public final class GreeterTern {"));
  }

  @Test
  void clashWithATopLevelMessageClassIsReportedAsAnError() throws Exception {
    CodeGeneratorResponse response = run(greeterFile(
        FileOptions.newBuilder().setJavaMultipleFiles(true).build()));
    assertTrue(response.hasError());
    assertTrue(response.getError().contains("hello.GreeterTern"), response.getError());
    assertEquals(0, response.getFileCount());
  }

  @Test
  void unknownMessageTypeIsReportedAsAnError() throws Exception {
    FileDescriptorProto broken = greeterFile(FileOptions.getDefaultInstance()).toBuilder()
        .setService(0, ServiceDescriptorProto.newBuilder().setName("Greeter")
            .addMethod(MethodDescriptorProto.newBuilder().setName("Hi")
                .setInputType(".nowhere.Req").setOutputType(".hello.Req")))
        .build();
    CodeGeneratorResponse response = run(broken);
    assertTrue(response.getError().contains(".nowhere.Req"), response.getError());
  }
}
