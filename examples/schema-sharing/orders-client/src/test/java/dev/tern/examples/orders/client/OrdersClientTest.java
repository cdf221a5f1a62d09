package dev.tern.examples.orders.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.examples.orders.service.OrdersService;
import dev.tern.examples.orders.v1.Order;
import dev.tern.examples.orders.v1.OrderState;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client and the service, each generated from the orders-schema jar, talking over a real
 * socket: the service on a free port of 127.0.0.1, the client through a TernChannel.
 */
class OrdersClientTest {
  private TernServer server;
  private TernChannel channel;
  private OrdersClient client;

  @BeforeEach
  void start() throws Exception {
    server = TernServer.builder().port(0).addService(new OrdersService().bindService())
        .build().start();
    channel = TernChannel.builder().forAddress("127.0.0.1", server.port()).build();
    client = new OrdersClient(channel);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdown();
    server.shutdown();
    assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS), "channel terminated");
    assertTrue(server.awaitTermination(10, TimeUnit.SECONDS), "server terminated");
  }

  @Test
  void unaryPlaceOrderReturnsThePlacedOrder() {
    Order order = client.placeOrder("tern feather", 3);

    assertEquals("tern feather", order.getItem());
    assertEquals(3, order.getQuantity());
    assertEquals(OrderState.ORDER_STATE_PLACED, order.getState());
  }

  @Test
  void serverStreamingWatchOrderStreamsEveryStateUntilDelivered() {
    Order order = client.placeOrder("tern feather", 1);

    assertEquals(List.of(OrderState.ORDER_STATE_PLACED, OrderState.ORDER_STATE_SHIPPED,
        OrderState.ORDER_STATE_DELIVERED), client.watchOrder(order.getId()));
  }
}
