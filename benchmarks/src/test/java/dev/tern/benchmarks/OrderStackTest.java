package dev.tern.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The order-lookup stacks of the gRPC-against-JSON/REST comparison answer what is asked. */
class OrderStackTest {
  @ParameterizedTest
  @ValueSource(strings = {"tern", "tern-direct", "vertx", "netty"})
  void blockingLookupReturnsTheOrderAskedFor(String impl) throws Exception {
    try (OrderStack stack = OrderStack.create(impl)) {
      stack.getBlocking(7); // throws unless the parsed order has id 7
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tern", "tern-direct", "vertx", "netty"})
  void asyncLookupCompletesWithTheOrderAskedFor(String impl) throws Exception {
    try (OrderStack stack = OrderStack.create(impl)) {
      CompletableFuture<Boolean> done = new CompletableFuture<>();
      stack.getAsync(8, done::complete);
      assertTrue(done.get(30, TimeUnit.SECONDS), impl);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tern", "vertx", "netty"})
  void unknownIdFails(String impl) throws Exception {
    try (OrderStack stack = OrderStack.create(impl)) {
      assertThrows(Exception.class, () -> stack.getBlocking(Orders.COUNT + 1));
    }
  }

  @Test
  void sampleOrderIsAboutOneKibOfJsonAndRoundTrips() throws Exception {
    byte[] json = Orders.JSON.writeValueAsBytes(Orders.record(42));
    assertTrue(json.length > 900 && json.length < 1300, json.length + " B");
    assertEquals(Orders.record(42), Orders.JSON.readValue(json, Orders.OrderJson.class));
    assertEquals(Orders.proto(42).getLineItemsCount(),
        Orders.record(42).lineItems().size());
  }
}
