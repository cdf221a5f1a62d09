package dev.tern.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.Descriptors;
import dev.tern.MethodDescriptor;
import dev.tern.ServiceDescriptor;
import dev.tern.it.conflict.LegacyTern;
import dev.tern.it.conflict.NestedTern;
import dev.tern.it.ed2023.Search2023Tern;
import dev.tern.it.ed2024.Search2024Tern;
import dev.tern.it.greeter.GreeterTern;
import dev.tern.it.greeter.HelloReply;
import dev.tern.it.greeter.HelloRequest;
import dev.tern.it.keywords.AbstractTern;
import dev.tern.it.keywords.ObjectTern;
import dev.tern.it.lite.NotesTern;
import dev.tern.it.wkt.ClockTern;
import dev.tern.it.wkt.NothingTern;
import java.util.List;
import org.junit.jupiter.api.Test;
import tern.it.plain.PlainTern;

/**
 * Generated descriptors carry protobuf's descriptors as their schema, found through the outer
 * class protoc's Java output names for each file, so a reflection service can serve the files.
 */
class SchemaDescriptorTest {
  @Test
  void serviceSchemaIsTheProtobufServiceDescriptorOfItsFile() {
    Descriptors.ServiceDescriptor schema = assertInstanceOf(Descriptors.ServiceDescriptor.class,
        GreeterTern.getServiceDescriptor().getSchemaDescriptor());
    assertEquals("tern.it.greeter.Greeter", schema.getFullName());
    assertEquals("tern/it/greeter.proto", schema.getFile().getName());
    assertSame(schema, GreeterTern.bindService(new GreeterTern.AsyncService() {})
        .getServiceDescriptor().getSchemaDescriptor());
  }

  @Test
  void methodSchemaIsTheProtobufMethodDescriptorWithItsMessageTypes() {
    Descriptors.MethodDescriptor schema = assertInstanceOf(Descriptors.MethodDescriptor.class,
        GreeterTern.getSayHelloMethod().getSchemaDescriptor());
    assertEquals("tern.it.greeter.Greeter.SayHello", schema.getFullName());
    assertSame(HelloRequest.getDescriptor(), schema.getInputType());
    assertSame(HelloReply.getDescriptor(), schema.getOutputType());
  }

  @Test
  void everyGeneratedServiceFindsItsSchemaWhateverItsOuterClassIsCalled() throws Exception {
    // Between them: java_outer_classname, the "OuterClass" suffix, the edition 2024 "Proto"
    // default, no java_package, no package at all, and a service with no methods.
    List<ServiceDescriptor> services = List.of(GreeterTern.getServiceDescriptor(),
        NestedTern.getServiceDescriptor(), LegacyTern.getServiceDescriptor(),
        Search2023Tern.getServiceDescriptor(), Search2024Tern.getServiceDescriptor(),
        PlainTern.getServiceDescriptor(), AbstractTern.getServiceDescriptor(),
        ObjectTern.getServiceDescriptor(), ClockTern.getServiceDescriptor(),
        NothingTern.getServiceDescriptor(), (ServiceDescriptor) Class.forName("PackagelessTern")
            .getMethod("getServiceDescriptor").invoke(null));
    for (ServiceDescriptor service : services) {
      Descriptors.ServiceDescriptor schema = assertInstanceOf(
          Descriptors.ServiceDescriptor.class, service.getSchemaDescriptor(), service.getName());
      assertEquals(service.getName(), schema.getFullName());
      assertEquals(schema.getMethods().size(), service.getMethods().size(), service.getName());
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        Descriptors.MethodDescriptor methodSchema = assertInstanceOf(
            Descriptors.MethodDescriptor.class, method.getSchemaDescriptor(),
            method.getFullMethodName());
        assertSame(schema, methodSchema.getService());
        assertEquals(method.getBareMethodName(), methodSchema.getName());
      }
    }
  }

  @Test
  void liteRuntimeFilesHaveNoSchema() {
    assertNull(NotesTern.getServiceDescriptor().getSchemaDescriptor());
    assertNull(NotesTern.getAddMethod().getSchemaDescriptor());
  }
}
