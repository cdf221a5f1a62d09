package dev.tern.examples.spring;

import dev.tern.examples.spring.v1.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The same lookup as JSON over HTTP/1.1 on the web port, for callers without a gRPC client:
 * both servers share the repository bean. Stateless, so thread-safe.
 */
@RestController
public class OrdersController {
  /** The JSON shape of an order. */
  public record OrderView(String id, String item, int quantity) {
    static OrderView of(Order order) {
      return new OrderView(order.getId(), order.getItem(), order.getQuantity());
    }
  }

  private final OrderRepository repository;

  public OrdersController(OrderRepository repository) {
    this.repository = repository;
  }

  /** {@code GET /orders/{id}}: the order, or 404. */
  @GetMapping("/orders/{id}")
  public ResponseEntity<OrderView> order(@PathVariable("id") String id) {
    return ResponseEntity.of(repository.find(id).map(OrderView::of));
  }
}
