// The HTTP/1.1 server: Boost.Beast over Asio with C++20 coroutines, one coroutine per
// connection. This header keeps Beast out of its includers; server.cc is the only Beast TU.
//
// Per request: read headers (bounded size and time) → match route → filter chain → 415/404/405
// checks → 100-continue → read body (bounded, or streamed to the route's BodySink) → handler
// (inline on the I/O thread, or on the worker pool when it may block) → reverse filters → write →
// final stage (access log, metrics). Keep-alive and pipelining: requests on a connection are
// processed strictly in order.
//
// Shutdown (Shutdown() or SIGTERM/SIGINT): stop accepting, close idle connections, let in-flight
// requests finish and answer them with "Connection: close", then return from Run(). A second
// signal, or the drain timeout, closes the remaining connections.
//
// Thread-safety: Listen/Run from one thread; Shutdown from any thread (or a signal).
#ifndef CRMI_HTTP_SERVER_H_
#define CRMI_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/common/status.h"
#include "src/http/filter.h"
#include "src/http/router.h"

namespace crmi::http {

class LimitsFilter;

// Optional second listener speaking TLS (1.2 or later). With client_ca_file set, client
// certificates signed by that CA are verified and their subject (RFC 2253, e.g.
// "CN=svc-billing,O=Maple Bank") reaches the filters as Request::client_cert_subject.
struct TlsOptions {
  std::string host;       // empty: no TLS listener
  uint16_t port = 0;      // 0 picks a free port (tests)
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
  std::string client_ca_file;
  bool require_client_cert = false;  // refuse the handshake without a verified certificate
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (tests)
  int io_threads = 0;    // 0: one per core
  int worker_threads = 16;
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 10000;
  std::chrono::milliseconds header_timeout{10'000};  // first byte to end of headers
  std::chrono::milliseconds body_timeout{60'000};    // whole body; between chunks when streamed
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next request
  std::chrono::milliseconds drain_timeout{30'000};
  TlsOptions tls;
};

// "host:port" or ":port" → host, port. IPv6 as "[::1]:8080".
Status ParseListenAddress(std::string_view text, std::string* host, uint16_t* port);

class Server {
 public:
  // REQUIRES: router, chain and limits outlive the server; `limits` is the chain's limits filter
  // (the server asks it for each route's body limit).
  Server(ServerOptions options, const Router* router, const FilterChain* chain,
         const LimitsFilter* limits, metrics::Registry* registry, Clock* clock);
  ~Server();

  // Binds and listens (and loads the TLS certificate and key when a TLS listener is set).
  // kUnavailable with a clear message when an address is in use; kInvalidArgument when the TLS
  // files cannot be loaded.
  Status Listen();
  uint16_t port() const;
  uint16_t tls_port() const;  // 0 without a TLS listener

  // Serves until shutdown completes. With handle_signals, SIGTERM/SIGINT start a graceful
  // shutdown. `on_drain` (optional) runs once when shutdown begins.
  Status Run(bool handle_signals, std::function<void()> on_drain = nullptr);

  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_SERVER_H_
