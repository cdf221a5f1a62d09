package dev.tern.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.Edition;
import com.google.protobuf.DescriptorProtos.FeatureSet;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.JavaFeaturesProto;
import com.google.protobuf.JavaFeaturesProto.JavaFeatures;
import com.google.protobuf.JavaFeaturesProto.JavaFeatures.NestInFileClassFeature.NestInFileClass;
import java.util.List;
import org.junit.jupiter.api.Test;

class JavaNamesTest {
  static {
    // Before JavaFeaturesProto, always: see JavaNames. Test classes run in parallel.
    DescriptorProtos.getDescriptor();
  }

  private static FileDescriptorProto.Builder file(String name) {
    return FileDescriptorProto.newBuilder().setName(name).setPackage("pkg").setSyntax("proto3");
  }

  private static DescriptorProto message(String name) {
    return DescriptorProto.newBuilder().setName(name).build();
  }

  @Test
  void outerClassNameIsTheCamelCasedFileName() {
    assertEquals("FooBarBaz", JavaNames.outerClassName(file("a/b/foo_bar_baz.proto").build()));
    assertEquals("Foo2Bar", JavaNames.outerClassName(file("foo2bar.proto").build()));
    assertEquals("FooBar", JavaNames.outerClassName(file("foo-bar.proto").build()));
  }

  @Test
  void outerClassNameGetsOuterClassSuffixWhenATypeHasItsName() {
    assertEquals("HelloOuterClass", JavaNames.outerClassName(
        file("hello.proto").addMessageType(message("Hello")).build()));
    DescriptorProto nested = DescriptorProto.newBuilder().setName("Outer")
        .addNestedType(message("Hello")).build();
    assertEquals("HelloOuterClass", JavaNames.outerClassName(
        file("hello.proto").addMessageType(nested).build()));
    // Only an exact match counts.
    assertEquals("Hello", JavaNames.outerClassName(
        file("hello.proto").addMessageType(message("HELLO")).build()));
  }

  @Test
  void explicitOuterClassNameWins() {
    assertEquals("Given", JavaNames.outerClassName(file("hello.proto")
        .addMessageType(message("Hello"))
        .setOptions(FileOptions.newBuilder().setJavaOuterClassname("Given")).build()));
  }

  @Test
  void edition2024OuterClassNameHasProtoSuffixAndNoConflictCheck() {
    FileDescriptorProto f = file("hello.proto").setSyntax("editions")
        .setEdition(Edition.EDITION_2024).addMessageType(message("HelloProto")).build();
    assertEquals("HelloProto", JavaNames.outerClassName(f));
    FileDescriptorProto f2023 = file("hello.proto").setSyntax("editions")
        .setEdition(Edition.EDITION_2023).addMessageType(message("Hello")).build();
    assertEquals("HelloOuterClass", JavaNames.outerClassName(f2023));
  }

  @Test
  void messagesNestUnlessMultipleFiles() {
    FileDescriptorProto nestedFile = file("a.proto")
        .setOptions(FileOptions.newBuilder().setJavaPackage("com.x"))
        .addMessageType(DescriptorProto.newBuilder().setName("M").addNestedType(message("N")))
        .build();
    JavaNames names = new JavaNames(List.of(nestedFile));
    assertEquals("com.x.A.M", names.messageClass(".pkg.M"));
    assertEquals("com.x.A.M.N", names.messageClass(".pkg.M.N"));
    assertTrue(names.isTopLevelClass("com.x.A"));
    assertFalse(names.isTopLevelClass("com.x.M"));

    FileDescriptorProto multi = nestedFile.toBuilder()
        .setOptions(FileOptions.newBuilder().setJavaPackage("com.x").setJavaMultipleFiles(true))
        .build();
    JavaNames multiNames = new JavaNames(List.of(multi));
    assertEquals("com.x.M.N", multiNames.messageClass(".pkg.M.N"));
    assertTrue(multiNames.isTopLevelClass("com.x.M"));
  }

  @Test
  void edition2024NestsOnlyWhenTheFeatureSaysYes() {
    MessageOptions nest = MessageOptions.newBuilder().setFeatures(FeatureSet.newBuilder()
        .setExtension(JavaFeaturesProto.java_,
            JavaFeatures.newBuilder().setNestInFileClass(NestInFileClass.YES).build()))
        .build();
    FileDescriptorProto f = FileDescriptorProto.newBuilder().setName("e.proto")
        .setSyntax("editions").setEdition(Edition.EDITION_2024)
        .addMessageType(message("Free"))
        .addMessageType(DescriptorProto.newBuilder().setName("Kept").setOptions(nest))
        .build();
    JavaNames names = new JavaNames(List.of(f));
    assertEquals("Free", names.messageClass(".Free"));
    assertEquals("EProto.Kept", names.messageClass(".Kept"));
  }

  @Test
  void packageIsJavaPackageElseProtoPackage() {
    assertEquals("pkg", JavaNames.javaPackage(file("a.proto").build()));
    assertEquals("", JavaNames.javaPackage(FileDescriptorProto.newBuilder().setName("a").build()));
    assertEquals("com.y", JavaNames.javaPackage(file("a.proto")
        .setOptions(FileOptions.newBuilder().setJavaPackage("com.y")).build()));
  }

  @Test
  void methodNamesAreLowerCamelAndAvoidKeywords() {
    assertEquals("sayHello", JavaNames.javaMethodName("SayHello"));
    assertEquals("getUserById", JavaNames.javaMethodName("get_user_by_id"));
    assertEquals("import_", JavaNames.javaMethodName("Import"));
    assertEquals("yield_", JavaNames.javaMethodName("yield"));
    assertEquals("hTTPGet", JavaNames.javaMethodName("HTTPGet"));
  }

  @Test
  void constantNamesAreUpperSnake() {
    assertEquals("SAY_HELLO", JavaNames.upperSnake("SayHello"));
    assertEquals("GET_HTTPSTATUS", JavaNames.upperSnake("GetHTTPStatus"));
    assertEquals("SNAKE_CASE", JavaNames.upperSnake("snake_case"));
  }
}
