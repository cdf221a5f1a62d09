package dev.tern.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.it.conflict.ConflictOuterClass;
import dev.tern.it.conflict.LegacyTern;
import dev.tern.it.conflict.NestedTern;
import dev.tern.it.ed2023.Editions2023;
import dev.tern.it.ed2023.Search2023Tern;
import dev.tern.it.ed2024.Editions2024Proto;
import dev.tern.it.ed2024.Search2024Tern;
import dev.tern.it.ed2024.TopLevel;
import dev.tern.it.greeter.GreeterTern;
import dev.tern.it.greeter.HelloReply;
import dev.tern.it.greeter.HelloRequest;
import dev.tern.it.imported.SharedMessages;
import dev.tern.it.keywords.AbstractTern;
import dev.tern.it.keywords.ObjectTern;
import dev.tern.it.wkt.ClockTern;
import dev.tern.it.wkt.NothingTern;
import dev.tern.stub.StreamObserver;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tern.it.plain.NoJavaPackage;
import tern.it.plain.PlainTern;

/**
 * The generated classes use protoc's Java names for messages (the assignments below only compile
 * if the type arguments are right) and the documented names for everything else.
 */
class GeneratedNamesTest {
  @Test
  void multipleFilesMessagesAreTopLevel() {
    MethodDescriptor<HelloRequest, HelloReply> m = GreeterTern.getSayHelloMethod();
    assertEquals("tern.it.greeter.Greeter/SayHello", m.getFullMethodName());
    assertEquals(MethodDescriptor.MethodType.UNARY, m.getType());
    assertEquals(MethodDescriptor.MethodType.SERVER_STREAMING,
        GreeterTern.getListGreetingsMethod().getType());
    assertEquals(MethodDescriptor.MethodType.CLIENT_STREAMING,
        GreeterTern.getCollectNamesMethod().getType());
    assertEquals(MethodDescriptor.MethodType.BIDI_STREAMING,
        GreeterTern.getChatMethod().getType());
    assertEquals("tern.it.greeter.Greeter", GreeterTern.SERVICE_NAME);
    assertEquals(5, GreeterTern.getServiceDescriptor().getMethods().size());
  }

  @Test
  void nestedMessagesLiveInTheOuterClassWithTheOuterClassSuffixOnConflict() {
    MethodDescriptor<ConflictOuterClass.Conflict.Inner, ConflictOuterClass.Conflict.Inner.Deeper>
        echo = NestedTern.getEchoMethod();
    assertEquals("tern.it.conflict.Nested/Echo", echo.getFullMethodName());
  }

  @Test
  void noJavaOptionsUseTheProtoPackageAndFileName() {
    MethodDescriptor<NoJavaPackage.Ping, NoJavaPackage.Ping> echo = PlainTern.getEchoMethod();
    assertEquals("tern.it.plain.Plain/Echo", echo.getFullMethodName());
  }

  @Test
  void packagelessFileGeneratesInTheDefaultPackage() throws Exception {
    Class<?> tern = Class.forName("PackagelessTern");
    assertEquals("Packageless", tern.getField("SERVICE_NAME").get(null));
    MethodDescriptor<?, ?> echo = (MethodDescriptor<?, ?>) tern.getMethod("getEchoMethod")
        .invoke(null);
    assertEquals("Packageless/Echo", echo.getFullMethodName());
  }

  @Test
  void edition2023KeepsTheOldOuterClassRules() {
    MethodDescriptor<Editions2023.Query, Editions2023.Query> find = Search2023Tern.getFindMethod();
    assertEquals("tern.it.ed2023.Search2023/Find", find.getFullMethodName());
  }

  @Test
  void edition2024UsesTopLevelClassesAndTheProtoSuffixUnlessNestingIsAskedFor() {
    MethodDescriptor<TopLevel, Editions2024Proto.NestedInFile> find =
        Search2024Tern.getFindMethod();
    MethodDescriptor<Editions2024Proto.NestedInFile.Child, SharedMessages.Shared> child =
        Search2024Tern.getFindChildMethod();
    assertNotNull(find);
    assertNotNull(child);
  }

  @Test
  void wellKnownAndImportedTypesUseTheirOwnPackages() {
    MethodDescriptor<Empty, Timestamp> now = ClockTern.getNowMethod();
    MethodDescriptor<StringValue, StringValue> echo = ClockTern.getEchoMethod();
    MethodDescriptor<SharedMessages.Shared, Empty> share = ClockTern.getShareMethod();
    assertFalse(now.isIdempotent());
    assertFalse(echo.isSafe());
    assertTrue(share.isIdempotent());
    assertFalse(share.isSafe());
    assertTrue(ClockTern.getPeekMethod().isIdempotent());
    assertTrue(ClockTern.getPeekMethod().isSafe());
  }

  @Test
  void emptyServiceStillBinds() {
    ServerServiceDefinition def = new NothingTern.NothingImplBase() {}.bindService();
    assertEquals("tern.it.wkt.Nothing", def.getServiceDescriptor().getName());
    assertTrue(def.getMethods().isEmpty());
  }

  private static Set<String> methodNames(Class<?> c) {
    return Arrays.stream(c.getDeclaredMethods()).map(Method::getName).collect(Collectors.toSet());
  }

  @Test
  void keywordAndCollidingMethodNamesAreEscaped() {
    Set<String> names = methodNames(AbstractTern.AsyncService.class);
    assertEquals(Set.of("import_", "class_", "return_", "yield_", "getChannel", "getCallOptions",
        "bindService", "build", "withDeadline", "toString", "hashCode", "wait",
        "getServiceDescriptor", "serviceName", "foo", "foo_", "snakeCaseName"), names);
    Set<String> getters = methodNames(AbstractTern.class).stream()
        .filter(n -> n.endsWith("Method")).collect(Collectors.toSet());
    assertTrue(getters.containsAll(Set.of("getImportMethod", "getClassMethod", "getFooMethod",
        "getFoo_Method", "getSnakeCaseNameMethod", "getGetServiceDescriptorMethod")), getters::toString);
    assertEquals("tern.it.keywords.Abstract/snake_case_name",
        AbstractTern.getSnakeCaseNameMethod().getFullMethodName());
    // "Abstract" makes a nested AbstractStub; the stubs still extend Tern's AbstractStub.
    assertSame(dev.tern.stub.AbstractStub.class, AbstractTern.AbstractStub.class.getSuperclass());
    assertEquals("tern.it.keywords.Object/Equals", ObjectTern.getEqualsMethod().getFullMethodName());
  }

  @Test
  void messagesNamedLikeTernClassesStayDistinct() {
    MethodDescriptor<dev.tern.it.keywords.Channel, dev.tern.it.keywords.StreamObserver> m =
        AbstractTern.getImportMethod();
    MethodDescriptor<dev.tern.it.keywords.String, dev.tern.it.keywords.Override> c =
        AbstractTern.getClassMethod();
    assertNotNull(m);
    assertNotNull(c);
  }

  @Test
  @SuppressWarnings("deprecation")
  void deprecationIsCarriedOver() throws Exception {
    assertTrue(NestedTern.class.getMethod("getOldEchoMethod").isAnnotationPresent(Deprecated.class));
    assertFalse(NestedTern.class.getMethod("getEchoMethod").isAnnotationPresent(Deprecated.class));
    assertTrue(NestedTern.NestedBlockingStub.class
        .getMethod("oldEcho", ConflictOuterClass.OldRequest.class)
        .isAnnotationPresent(Deprecated.class));
    assertTrue(NestedTern.AsyncService.class
        .getMethod("oldEcho", ConflictOuterClass.OldRequest.class, StreamObserver.class)
        .isAnnotationPresent(Deprecated.class));
    assertTrue(LegacyTern.class.isAnnotationPresent(Deprecated.class));
    assertTrue(LegacyTern.LegacyStub.class.isAnnotationPresent(Deprecated.class));
  }

  @Test
  void protoCommentsBecomeEscapedJavadoc() throws Exception {
    Path source = JavaSources.generatedTernSources().stream()
        .filter(p -> p.endsWith(Path.of("dev/tern/it/greeter/GreeterTern.java")))
        .findFirst().orElseThrow();
    String text = Files.readString(source);
    assertTrue(text.contains(
        " * The greeting service. Comments become Javadoc, escaped: *&#47; cannot end it,\n"
        + " * &#64;param cannot become a tag, &lt;b&gt;tags&lt;/b&gt; &amp; entities stay literal,"
        + " and\n"
        + " * a backslash-u escape &#92;u002A/ is defused too.\n"), text);
    assertTrue(text.contains("   * <pre>\n   * Greets once.\n   * </pre>"), text);
  }

  @Test
  void blockingStubsHaveEveryCallTypeAndFutureStubsOnlyUnary() throws Exception {
    Set<String> blocking = methodNames(GreeterTern.GreeterBlockingStub.class);
    assertTrue(blocking.containsAll(Set.of("sayHello", "listGreetings", "collectNames", "chat")));
    // Client- and bidi-streaming calls (new with the blocking API) return a BlockingClientCall.
    assertEquals(dev.tern.stub.BlockingClientCall.class,
        GreeterTern.GreeterBlockingStub.class.getMethod("chat").getReturnType());
    Set<String> future = methodNames(GreeterTern.GreeterFutureStub.class);
    assertTrue(future.contains("sayHello"));
    assertFalse(future.contains("listGreetings"));
  }
}
