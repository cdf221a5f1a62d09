package dev.tern.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stubs are typed: the wrong message type is a compile error, the right one compiles. */
class CompileFailTest {
  @TempDir Path dir;

  private JavaSources.Result compileCall(String request) throws Exception {
    Path source = dir.resolve("src/Caller.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, String.join("\n",
        "import dev.tern.Channel;",
        "import dev.tern.it.greeter.GreeterTern;",
        "import dev.tern.it.greeter.HelloReply;",
        "class Caller {",
        "  static HelloReply call(Channel channel) {",
        "    return GreeterTern.newBlockingStub(channel).sayHello(" + request + ");",
        "  }",
        "}"));
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    return JavaSources.compile(List.of(source), classes, "-Xlint:all", "-Werror");
  }

  @Test
  void wrongRequestTypeDoesNotCompile() throws Exception {
    JavaSources.Result result =
        compileCall("dev.tern.it.greeter.HelloReply.getDefaultInstance()");
    assertFalse(result.success(), "passing a HelloReply as the request must not compile");
    assertTrue(result.diagnostics().stream().anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR
            && d.getMessage(Locale.ROOT).contains("HelloReply")
            && d.getMessage(Locale.ROOT).contains("HelloRequest")),
        result.describe());
  }

  @Test
  void rightRequestTypeCompiles() throws Exception {
    JavaSources.Result result =
        compileCall("dev.tern.it.greeter.HelloRequest.newBuilder().setName(\"x\").build()");
    assertTrue(result.success(), result.describe());
  }
}
