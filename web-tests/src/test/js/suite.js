// The calls every client makes (connect-web in Chromium, connect-node in Node), whatever the
// transport: it returns what it observed as plain JSON, and the Java test asserts the values.
// A check that throws reports {thrown: {code, message}} instead of its values, so one failing
// check never hides the others.
import { Code, ConnectError, createClient } from "@connectrpc/connect";

/** The header the test service echoes back as a response header (request metadata round trip). */
export const ECHO_HEADER = "x-tern-echo";

/**
 * Runs the checks against `transport` and resolves to {checkName: observation}.
 * `generated` holds the protoc-gen-es modules: {service: WebTestService, errorInfo: ErrorInfoSchema}.
 * `features` says which call types the transport allows: {clientStreaming, bidi, get}, and may
 * hold `gzipTransport`, a transport that compresses every request with gzip.
 */
export async function runSuite(transport, generated, features) {
  const client = createClient(generated.service, transport);
  const results = {};
  const check = async (name, body) => {
    try {
      results[name] = await body();
    } catch (e) {
      const err = ConnectError.from(e);
      results[name] = { thrown: { code: Code[err.code], message: err.rawMessage } };
    }
  };

  await check("unary", async () => {
    const res = await client.greet({ name: "web" });
    return { greeting: res.greeting };
  });

  await check("metadata", async () => {
    let echoed = null;
    await client.greet({ name: "headers" }, {
      headers: { [ECHO_HEADER]: "ping-42" },
      onHeader: (h) => { echoed = h.get(ECHO_HEADER); },
    });
    return { echoed };
  });

  await check("serverStream", async () => {
    const numbers = [];
    for await (const res of client.count({ count: 100 })) {
      numbers.push(res.number);
    }
    const inOrder = numbers.every((n, i) => n === i + 1);
    return { received: numbers.length, inOrder };
  });

  await check("errorDetails", async () => {
    try {
      await client.fail({ name: "mallory" });
      return { thrown: null };
    } catch (e) {
      const err = ConnectError.from(e);
      const infos = err.findDetails(generated.errorInfo);
      return {
        code: Code[err.code],
        message: err.rawMessage,
        details: infos.map((i) => ({ reason: i.reason, domain: i.domain, metadata: i.metadata })),
      };
    }
  });

  await check("deadline", async () => {
    try {
      await client.hang({ name: "slow" }, { timeoutMs: 300 });
      return { thrown: null };
    } catch (e) {
      return { code: Code[ConnectError.from(e).code] };
    }
  });

  await check("cancel", async () => {
    // The client cancels a stream the server holds open, once its first message proves the
    // server has the call: in a browser, fetch's AbortController closes the request.
    const abort = new AbortController();
    let first = null;
    try {
      for await (const res of client.watch({ name: "cancelled" }, { signal: abort.signal })) {
        first = res.greeting;
        abort.abort();
      }
      return { first, code: null };
    } catch (e) {
      return { first, code: Code[ConnectError.from(e).code] };
    }
  });

  if (features.gzipTransport) {
    await check("gzip", async () => {
      // The test services answer a name starting with "gzip" with a gzip-compressed response.
      const res = await createClient(generated.service, features.gzipTransport).greet({ name: "gzip" });
      return { greeting: res.greeting };
    });
  }

  if (features.get) {
    await check("get", async () => {
      const res = await client.lookup({ name: "get" });
      return { greeting: res.greeting };
    });
  }

  if (features.clientStreaming) {
    await check("clientStream", async () => {
      async function* names() {
        for (const name of ["ada", "grace", "linus"]) {
          yield { name };
        }
      }
      const res = await client.greetAll(names());
      return { greeting: res.greeting };
    });
  }

  if (features.bidi) {
    await check("bidi", async () => {
      // Truly interleaved: the next request is sent only after the previous response arrived,
      // which a half-duplex (buffer the whole request) implementation cannot do.
      const queue = [];
      let wake = null;
      async function* requests() {
        for (const name of ["one", "two", "three"]) {
          yield { name };
          await new Promise((resolve) => {
            if (queue.length > 0) resolve(); else wake = resolve;
          });
          queue.shift();
        }
      }
      const greetings = [];
      for await (const res of client.chat(requests())) {
        greetings.push(res.greeting);
        queue.push(res);
        if (wake) { const w = wake; wake = null; w(); }
      }
      return { greetings };
    });
  }
  return results;
}
