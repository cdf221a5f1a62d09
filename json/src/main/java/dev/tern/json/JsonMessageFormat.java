package dev.tern.json;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.tern.Marshaller;
import dev.tern.Status;
import dev.tern.netty.WebMessageFormat;
import dev.tern.protobuf.ProtoMarshaller;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The proto3 JSON mapping (protobuf.dev "ProtoJSON Format", protobuf-java-util's
 * {@link JsonFormat}) for gRPC-Web {@code +json} and Connect {@code application/json} /
 * {@code +json} bodies, for every method whose marshaller is a {@link ProtoMarshaller} of a full
 * (non-lite) message. Registered through {@code META-INF/services}: with tern-json on the class
 * path a TernServer serves JSON, nothing else to configure.
 *
 * <p>Thread-safe and stateless.
 */
public final class JsonMessageFormat implements WebMessageFormat {
  /** Unknown fields are ignored, as Connect servers do, so older servers accept newer clients. */
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .omittingInsignificantWhitespace();

  /** For ServiceLoader. */
  public JsonMessageFormat() {}

  @Override
  public String subtype() {
    return "json";
  }

  @Override
  public <T> Marshaller<T> marshaller(Marshaller<T> binary) {
    if (binary instanceof ProtoMarshaller<?> proto
        && proto.getMessagePrototype() instanceof Message prototype) {
      return new JsonMarshaller<>(prototype);
    }
    return null;
  }

  /** JSON for one message type. Thread-safe. */
  private static final class JsonMarshaller<T> implements Marshaller<T> {
    private final Message prototype;

    JsonMarshaller(Message prototype) {
      this.prototype = prototype;
    }

    @Override
    public void write(T value, ByteBuf out) {
      try {
        out.writeCharSequence(PRINTER.print((Message) value), StandardCharsets.UTF_8);
      } catch (InvalidProtocolBufferException e) {
        throw Status.INTERNAL.withDescription("Cannot print " + prototype
            .getDescriptorForType().getFullName() + " as JSON: " + e.getMessage())
            .asRuntimeException();
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T parse(ByteBuf in) {
      Message.Builder builder = prototype.newBuilderForType();
      try {
        PARSER.merge(in.toString(StandardCharsets.UTF_8), builder);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        // Connect answers a body it cannot read with invalid_argument.
        throw Status.INVALID_ARGUMENT.withDescription("Invalid JSON for "
            + prototype.getDescriptorForType().getFullName() + ": " + e.getMessage())
            .asRuntimeException();
      }
      return (T) builder.build();
    }
  }
}
