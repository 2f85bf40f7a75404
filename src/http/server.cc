#include "src/http/server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <time.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "src/common/build_info.h"
#include "src/common/log.h"
#include "src/http/filters/limits.h"
#include "src/http/filters/request_id.h"
#include "src/http/problem.h"

namespace crmi::http {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr size_t kStreamChunk = 64 << 10;

// "Tue, 24 Nov 2026 00:15:25 GMT", recomputed at most once per second per thread.
const std::string& HttpDate() {
  thread_local time_t cached_second = 0;
  thread_local std::string cached;
  const time_t now = time(nullptr);
  if (now != cached_second) {
    struct tm tm;
    gmtime_r(&now, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_second = now;
  }
  return cached;
}

bool IsDisconnect(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
         ec == asio::error::bad_descriptor;
}

std::string JoinAccepts(const std::vector<std::string>& accepts) {
  std::string out;
  for (size_t i = 0; i < accepts.size(); ++i) {
    if (i) out += ", ";
    out += accepts[i];
  }
  return out;
}

// Runs `fn` on `pool` and resumes the awaiting coroutine on its own executor afterwards.
// `fn` lives in the awaiting coroutine's frame, which stays alive until resumption.
template <typename F>
asio::awaitable<void> RunOnPool(asio::thread_pool& pool, F& fn) {
  auto ex = co_await asio::this_coro::executor;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&pool, ex, &fn](auto handler) mutable {
        asio::post(pool, [ex, &fn, handler = std::move(handler)]() mutable {
          fn();
          asio::post(ex, std::move(handler));
        });
      },
      asio::use_awaitable);
}

// A streamed response in flight, shared by its producer (a worker thread) and the connection's
// coroutine (an I/O thread). The producer queues pieces and wakes the coroutine by posting a
// cancel of `wake` to its executor; the coroutine checks the queue under the lock before every
// wait, and cancels run on its own thread, so no wake-up is lost. The queue is bounded: a slow
// client makes Write block, not memory grow.
class StreamState final : public StreamWriter, public std::enable_shared_from_this<StreamState> {
 public:
  static constexpr size_t kMaxQueued = 256 * 1024;

  explicit StreamState(const asio::any_io_executor& ex) : wake_(ex) {}

  bool Write(std::string_view data) override {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return gone_ || queued_ < kMaxQueued; });
    if (gone_) return false;
    started_ = true;
    queued_ += data.size();
    if (!data.empty()) pieces_.emplace_back(data);
    lock.unlock();
    Notify();
    return true;
  }
  void Fail(const Status& status, int retry_after_s) override {
    std::lock_guard lock(mu_);
    if (started_) return;
    failure_ = status;
    retry_after_s_ = retry_after_s;
  }
  // The producer returned.
  void Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    Notify();
  }
  // The client is gone (or the response was replaced): Write returns false from now on.
  void Abandon() {
    {
      std::lock_guard lock(mu_);
      gone_ = true;
    }
    space_.notify_all();
  }

  // I/O thread: waits until the producer wrote something or finished.
  asio::awaitable<void> WaitStarted() {
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (started_ || done_) co_return;
      }
      co_await Wait();
    }
  }
  // I/O thread: the queued pieces (moved out); *done when nothing more will come.
  std::deque<std::string> Take(bool* done) {
    std::deque<std::string> out;
    {
      std::lock_guard lock(mu_);
      out.swap(pieces_);
      queued_ = 0;
      *done = done_;
    }
    space_.notify_all();
    return out;
  }
  asio::awaitable<void> Wait() {
    error_code ec;
    // The second is only a safety net; wake-ups come from Notify.
    wake_.expires_after(std::chrono::seconds(1));
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  // I/O thread, after WaitStarted.
  bool started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  Status failure() {
    std::lock_guard lock(mu_);
    return failure_;
  }
  int retry_after_s() {
    std::lock_guard lock(mu_);
    return retry_after_s_;
  }
  bool done() {
    std::lock_guard lock(mu_);
    return done_;
  }

 private:
  void Notify() {
    asio::post(wake_.get_executor(), [self = shared_from_this()] { self->wake_.cancel(); });
  }

  asio::steady_timer wake_;
  std::mutex mu_;
  std::condition_variable space_;
  std::deque<std::string> pieces_;
  size_t queued_ = 0;
  bool started_ = false;
  bool done_ = false;
  bool gone_ = false;
  Status failure_;
  int retry_after_s_ = -1;
};

// One client connection: plain TCP, or TLS over TCP when `tls` is given.
struct Conn {
  Conn(tcp::socket s, ssl::context* tls) : deadline(s.get_executor()) {
    if (tls != nullptr) {
      secure.emplace(std::move(s), *tls);
    } else {
      plain.emplace(std::move(s));
    }
  }
  // Request reads use this deadline instead of the stream's own timeout, which would close the
  // socket: on expiry it only cancels the read, so the server can still answer 408.
  asio::steady_timer deadline;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  bool timed_out = false;
  std::atomic<bool> idle{true};
  std::string remote;
  std::string cert_subject;  // verified client certificate (TLS only)

  beast::tcp_stream& transport() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  void Arm(std::chrono::milliseconds d) {
    transport().expires_never();
    timed_out = false;
    deadline.expires_after(d);
    deadline.async_wait([this](const error_code& ec) {
      if (ec) return;  // disarmed (or the connection is gone: `this` is not touched then)
      timed_out = true;
      error_code ignored;
      transport().socket().cancel(ignored);
    });
  }
  void Disarm() { deadline.cancel(); }
};

// RFC 2253 form of a certificate subject ("CN=svc-billing,O=Maple Bank").
std::string SubjectOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "";
  std::string out;
  if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    if (n > 0) out.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return out;
}

}  // namespace

Status ParseListenAddress(std::string_view text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("listen address must be host:port, e.g. 127.0.0.1:8080");
  }
  std::string_view h = text.substr(0, colon);
  std::string_view p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || value > 65535) {
    return InvalidArgument("listen port must be a number from 0 to 65535");
  }
  *host = h.empty() ? "0.0.0.0" : std::string(h);
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

struct Server::Impl {
  Impl(ServerOptions o, const Router* r, const FilterChain* c, const LimitsFilter* l,
       metrics::Registry* registry, Clock* clk)
      : options(std::move(o)),
        router(r),
        chain(c),
        limits(l),
        clock(clk),
        io_threads(options.io_threads > 0
                       ? options.io_threads
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        contexts(MakeContexts(io_threads)),
        ioc(*contexts[0]),
        acceptor(ioc),
        tls_acceptor(ioc),
        signals(ioc),
        pool(static_cast<size_t>(std::max(1, options.worker_threads))),
        server_header(std::string("crmi/") + build::kVersion) {
    connections_gauge = &prometheus::BuildGauge()
                             .Name("crmi_http_connections")
                             .Help("Open client connections")
                             .Register(registry->prom())
                             .Add({});
    rejected = &prometheus::BuildCounter()
                    .Name("crmi_http_connections_rejected_total")
                    .Help("Connections refused because max_connections was reached")
                    .Register(registry->prom())
                    .Add({});
  }

  // One single-threaded io_context per I/O thread: a connection lives on one of them, so its
  // handlers never run concurrently and need no strand; work posted to a connection (shutdown)
  // goes to its context.
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  // --- connection registry -------------------------------------------------------------------

  void Register(const std::shared_ptr<Conn>& c) {
    std::lock_guard<std::mutex> lock(mu);
    conns.emplace(c.get(), c);
    connections_gauge->Set(static_cast<double>(conns.size()));
  }
  void Unregister(Conn* c) {
    std::lock_guard<std::mutex> lock(mu);
    conns.erase(c);
    connections_gauge->Set(static_cast<double>(conns.size()));
  }
  size_t ConnectionCount() {
    std::lock_guard<std::mutex> lock(mu);
    return conns.size();
  }
  std::vector<std::shared_ptr<Conn>> Snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::shared_ptr<Conn>> out;
    for (auto& [p, c] : conns) out.push_back(c);
    return out;
  }

  // --- shutdown ------------------------------------------------------------------------------

  void BeginShutdown() {
    if (draining.exchange(true)) {
      CloseAll();  // second request: stop waiting
      return;
    }
    log::Info("shutdown: draining",
              log::Fields().Add("connections", static_cast<int64_t>(ConnectionCount())));
    if (on_drain) on_drain();
    error_code ec;
    acceptor.close(ec);
    tls_acceptor.close(ec);
    for (auto& c : Snapshot()) {
      asio::post(c->transport().get_executor(), [c] {
        error_code ignored;
        // Idle keep-alive connections close now, unless a request is already arriving.
        if (c->idle.load() && c->transport().socket().available(ignored) == 0) {
          c->transport().cancel();
        }
      });
    }
    asio::co_spawn(ioc, DrainWatcher(), asio::detached);
  }

  void CloseAll() {
    for (auto& c : Snapshot()) {
      asio::post(c->transport().get_executor(), [c] {
        error_code ignored;
        c->transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
        c->transport().close();
      });
    }
  }

  asio::awaitable<void> DrainWatcher() {
    asio::steady_timer timer(ioc);
    const auto deadline = std::chrono::steady_clock::now() + options.drain_timeout;
    bool forced = false;
    while (ConnectionCount() > 0) {
      if (!forced && std::chrono::steady_clock::now() > deadline) {
        log::Warn("shutdown: drain timeout, closing remaining connections");
        CloseAll();
        forced = true;
      }
      timer.expires_after(std::chrono::milliseconds(10));
      error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    error_code ec;
    signals.cancel(ec);
    // Let every io_context's run() return once its remaining handlers finish.
    for (auto& g : guards) g.reset();
  }

  // --- accepting -----------------------------------------------------------------------------

  // Accepts on `acc`; connections speak TLS when `tls` is set.
  asio::awaitable<void> AcceptLoop(tcp::acceptor& acc, ssl::context* tls) {
    asio::steady_timer backoff(ioc);
    size_t next = 0;
    while (acc.is_open()) {
      error_code ec;
      asio::io_context& target = *contexts[next++ % contexts.size()];
      tcp::socket sock(target);
      co_await acc.async_accept(sock, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acc.is_open() || ec == asio::error::operation_aborted) co_return;
        // Out of file descriptors and similar: back off instead of spinning.
        log::Warn("accept failed", log::Fields().Add("error", ec.message()));
        backoff.expires_after(std::chrono::milliseconds(50));
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      if (ConnectionCount() >= options.max_connections) {
        rejected->Increment();
        if (tls != nullptr) {
          sock.close(ec);  // no plain-text 503 on a TLS port
        } else {
          asio::co_spawn(sock.get_executor(), RejectBusy(std::move(sock)), asio::detached);
        }
        continue;
      }
      auto conn = std::make_shared<Conn>(std::move(sock), tls);
      auto ep = conn->transport().socket().remote_endpoint(ec);
      if (!ec) conn->remote = ep.address().to_string();
      Register(conn);
      asio::co_spawn(target, Session(conn), [this, raw = conn.get()](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log::Error("connection failed", log::Fields().Add("error", ex.what()));
          }
        }
        Unregister(raw);
      });
    }
  }

  asio::awaitable<void> RejectBusy(tcp::socket sock) {
    beast::tcp_stream stream(std::move(sock));
    RequestContext ctx;
    ctx.request_id = NewRequestIdForLocalReply();
    SetProblem(ctx, 503, "too-many-connections", "the server is at its connection limit");
    bhttp::response<bhttp::string_body> res{bhttp::status::service_unavailable, 11};
    res.set(bhttp::field::content_type, ctx.response.content_type);
    res.set(bhttp::field::retry_after, "1");
    res.set("X-Request-Id", ctx.request_id);
    res.keep_alive(false);
    res.body() = ctx.response.body;
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(2));
    error_code ec;
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  static std::string NewRequestIdForLocalReply() {
    RequestContext tmp;
    AssignRequestId(tmp);
    return tmp.request_id;
  }

  // --- one connection ------------------------------------------------------------------------

  void FillRequest(const bhttp::request_parser<bhttp::empty_body>& parser, Request* req,
                   int64_t* header_bytes) {
    const auto& h = parser.get();
    req->method_text = std::string(h.method_string());
    req->method = ParseMethod(req->method_text);
    req->target = std::string(h.target());
    int64_t bytes = static_cast<int64_t>(req->method_text.size() + req->target.size() + 12);
    for (const auto& field : h) {
      bytes += static_cast<int64_t>(field.name_string().size() + field.value().size() + 4);
      req->headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    *header_bytes = bytes;
    if (parser.content_length()) req->content_length = *parser.content_length();
    req->chunked = parser.chunked();
    req->http_version = static_cast<int>(h.version());
  }

  // Decides what happens after the filter chain let the request through: 400/404/405/415 when
  // routing or the media type refuse it. Returns false when a local reply was set.
  bool Admit(RequestContext& ctx, const Status& target_status, const RouteMatch& match) {
    auto reply = [&](int status, std::string_view slug, const std::string& detail) {
      SetProblem(ctx, status, slug, detail);
      ctx.local_reply = true;
      return false;
    };
    const std::string where = ctx.request.method_text + " " + ctx.request.path;
    if (!target_status.ok()) return reply(400, "bad-request", target_status.message());
    if (match.bad_encoding) return reply(400, "bad-request", "invalid percent-encoding in path");
    if (match.route == nullptr) {
      if (match.path_matched) {
        ctx.response.headers.Set("Allow", match.allow);
        return reply(405, "method-not-allowed",
                     ctx.request.method_text + " is not allowed here; allowed: " + match.allow);
      }
      return reply(404, "not-found", "no route for " + where + " (GET / lists the routes)");
    }
    const Route& r = *match.route;
    if (!r.accepts.empty()) {
      auto ct = ctx.request.headers.Get("Content-Type");
      const std::string media = ct ? MediaType(*ct) : "";
      if (std::find(r.accepts.begin(), r.accepts.end(), media) == r.accepts.end()) {
        return reply(415, "unsupported-media-type",
                     (ct ? "Content-Type " + media + " is not accepted"
                         : std::string("Content-Type is missing")) +
                         "; expected " + JoinAccepts(r.accepts));
      }
    }
    return true;
  }

  // Framing the server cannot trust is refused before any filter runs: whatever a filter would
  // answer, the connection must close, or the rest of the bytes would be read as a request.
  bool CheckFraming(RequestContext& ctx) {
    auto reply = [&](std::string_view detail) {
      AssignRequestId(ctx);
      SetProblem(ctx, 400, "bad-request", detail);
      ctx.local_reply = true;
      ctx.close_connection = true;
      return false;
    };
    // A body whose length cannot be determined (Transfer-Encoding other than chunked) leaves
    // the connection out of sync (RFC 9112 §6.3).
    if (ctx.request.headers.Get("Transfer-Encoding") && !ctx.request.chunked) {
      return reply("unsupported Transfer-Encoding (only chunked is accepted)");
    }
    if (ctx.request.http_version >= 11 && !ctx.request.headers.Get("Host")) {
      return reply("HTTP/1.1 requests need a Host header");
    }
    return true;
  }

  void RunHandler(RequestContext& ctx) {
    log::ScopedRequestId rid(ctx.request_id);
    try {
      ctx.route->handler(ctx);
    } catch (const std::exception& e) {
      // A bug, never bad input: log it with the request id and answer 500 without details.
      log::Error("handler threw",
                 log::Fields().Add("route", ctx.route->name).Add("error", e.what()));
      SetProblem(ctx, 500, "internal", "internal error; the server log has the request id");
    }
  }

  // Runs the chain's commit stage (the audit trail) and waits for it. When it fails the
  // response is replaced: nothing leaves that was not recorded (fail closed).
  asio::awaitable<void> Commit(RequestContext& ctx) {
    Filter* committer = chain->committer();
    if (committer == nullptr) co_return;
    auto ex = co_await asio::this_coro::executor;
    Status result;
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [&](auto handler) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          committer->OnCommit(ctx, [ex, &result, h](const Status& s) {
            result = s;
            asio::post(ex, std::move(*h));
          });
        },
        asio::use_awaitable);
    if (!result.ok()) {
      log::Error("audit commit failed; answering 503",
                 log::Fields().Add("error", result.ToString()));
      SetProblem(ctx, 503, "audit-unavailable",
                 "the request could not be recorded in the audit trail, so it is not answered");
      ctx.response.headers.Set("Retry-After", "5");
      ctx.close_connection = true;
    }
  }

  // The headers every response carries, plain or streamed.
  template <typename Response>
  void SetHeaders(Response& res, const RequestContext& ctx, bool keep_alive) {
    res.set(bhttp::field::server, server_header);
    res.set(bhttp::field::date, HttpDate());
    res.set("X-Request-Id", ctx.request_id);
    if (!ctx.response.content_type.empty()) {
      res.set(bhttp::field::content_type, ctx.response.content_type);
    }
    for (const auto& [k, v] : ctx.response.headers.all()) res.insert(k, v);
    res.keep_alive(keep_alive);
  }

  template <typename Stream>
  asio::awaitable<void> Write(Conn& conn, Stream& stream, RequestContext& ctx, bool keep_alive,
                              error_code& ec) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(ctx.response.status), 11};
    SetHeaders(res, ctx, keep_alive);
    const int status = ctx.response.status;
    // 204 and 304 carry neither a body nor Content-Length (RFC 9110 §8.6); HEAD gets the length
    // of the body it does not receive.
    if (ctx.request.method == Method::kHead) {
      if (status != 204 && status != 304) res.content_length(ctx.response.body.size());
    } else if (status != 204 && status != 304) {
      res.body() = std::move(ctx.response.body);
      res.prepare_payload();
    }
    conn.transport().expires_after(options.write_timeout);
    const size_t n =
        co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    ctx.bytes_sent = static_cast<int64_t>(n);
  }

  // Starts a streamed response's producer and waits for its first piece. When it ends without
  // writing anything, the response becomes what it failed with (or an empty 200), and null is
  // returned: the request is answered like any other.
  asio::awaitable<std::shared_ptr<StreamState>> StartStream(RequestContext& ctx) {
    auto st = std::make_shared<StreamState>(co_await asio::this_coro::executor);
    asio::post(pool, [st, producer = std::move(ctx.response.stream), rid = ctx.request_id] {
      log::ScopedRequestId scoped(rid);
      try {
        producer(*st);
      } catch (const std::exception& e) {
        log::Error("stream producer threw", log::Fields().Add("error", e.what()));
        st->Fail(Internal("internal error; the server log has the request id"), -1);
      }
      st->Finish();
    });
    ctx.response.stream = nullptr;
    co_await st->WaitStarted();
    if (st->started()) co_return st;
    const Status failure = st->failure();
    if (!failure.ok()) SetProblem(ctx, failure, st->retry_after_s());
    co_return nullptr;
  }

  // Sends a started stream: headers (chunked), then every piece as the producer writes it,
  // then the last chunk once it is done. A write error or timeout abandons the producer.
  template <typename Stream>
  asio::awaitable<void> WriteStream(Conn& conn, Stream& stream, RequestContext& ctx,
                                    StreamState& st, bool keep_alive, error_code& ec) {
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(ctx.response.status), 11};
    SetHeaders(res, ctx, keep_alive);
    res.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    conn.transport().expires_after(options.write_timeout);
    size_t sent = co_await bhttp::async_write_header(stream, sr,
                                                     asio::redirect_error(asio::use_awaitable, ec));
    while (!ec) {
      bool done = false;
      std::deque<std::string> pieces = st.Take(&done);
      for (const std::string& piece : pieces) {
        conn.transport().expires_after(options.write_timeout);
        sent += co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(piece)),
                                           asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
      }
      conn.transport().expires_never();
      if (ec || (done && pieces.empty())) break;
      if (pieces.empty()) co_await st.Wait();
    }
    if (!ec) {
      conn.transport().expires_after(options.write_timeout);
      sent += co_await asio::async_write(stream, bhttp::make_chunk_last(),
                                         asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) st.Abandon();
    ctx.bytes_sent = static_cast<int64_t>(sent);
  }

  // Answers a request that failed at the transport level (malformed, too large, too slow) and
  // runs the response stage for the `ran` filters whose OnRequest ran, then the final stage.
  template <typename Stream>
  asio::awaitable<void> TransportError(Conn& conn, Stream& stream, RequestContext& ctx,
                                       const error_code& cause, size_t ran) {
    if (ctx.request_id.empty()) AssignRequestId(ctx);
    int status = 400;
    std::string slug = "bad-request";
    std::string detail = "malformed HTTP request: " + cause.message();
    if (conn.timed_out) {
      status = 408;
      slug = "request-timeout";
      detail = "the request was not received in time";
    } else if (cause == bhttp::error::header_limit) {
      status = 431;
      slug = "header-too-large";
      detail = "request headers exceed " + std::to_string(options.max_header_bytes) + " bytes";
    } else if (cause == bhttp::error::body_limit) {
      status = 413;
      slug = "payload-too-large";
      detail = "request body exceeds the limit of " + std::to_string(limits->BodyLimit(ctx.route)) +
               " bytes";
    }
    SetProblem(ctx, status, slug, detail);
    ctx.local_reply = true;
    chain->RunResponse(ctx, ran);
    co_await Commit(ctx);
    error_code ec;
    co_await Write(conn, stream, ctx, false, ec);
    chain->RunComplete(ctx);
  }

  // The client went away in the middle of a request: nothing to answer, but the request still
  // passes the response and final stages (logged as 499, in-flight gauge released).
  void Abandon(RequestContext& ctx, size_t ran) {
    ctx.response = Response();
    ctx.response.status = 499;
    ctx.response.problem = "client-closed-request";
    ctx.local_reply = true;
    chain->RunResponse(ctx, ran);
    // Recorded like any other request; nobody waits for the record.
    if (Filter* committer = chain->committer()) committer->OnCommit(ctx, [](const Status&) {});
    chain->RunComplete(ctx);
  }

  asio::awaitable<void> Session(std::shared_ptr<Conn> conn) {
    if (!conn->secure) {
      co_await Serve(conn, *conn->plain);
      co_return;
    }
    // The handshake gets the header timeout: a client that connects and says nothing holds a
    // connection slot no longer than one that sends half a request line.
    error_code ec;
    conn->transport().expires_after(options.header_timeout);
    co_await conn->secure->async_handshake(ssl::stream_base::server,
                                           asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      log::Debug("tls handshake failed",
                 log::Fields().Add("remote", conn->remote).Add("error", ec.message()));
      conn->transport().close();
      co_return;
    }
    SSL* handle = conn->secure->native_handle();
    if (X509* cert = SSL_get1_peer_certificate(handle)) {
      // Only a certificate that chains to the configured client CA names a principal.
      if (SSL_get_verify_result(handle) == X509_V_OK) conn->cert_subject = SubjectOf(cert);
      X509_free(cert);
    }
    co_await Serve(conn, *conn->secure);
  }

  template <typename Stream>
  asio::awaitable<void> Serve(std::shared_ptr<Conn> conn, Stream& stream) {
    beast::flat_buffer buffer;
    bool body_consumed = true;  // false when we stop before reading a request's body
    while (true) {
      error_code ec;
      if (buffer.size() == 0) {
        conn->idle = true;
        if (draining.load()) break;
        conn->transport().expires_after(options.idle_timeout);
        const size_t n = co_await stream.async_read_some(
            buffer.prepare(8192), asio::redirect_error(asio::use_awaitable, ec));
        conn->idle = false;
        if (ec) break;  // idle timeout, client closed, or shutdown: nothing in flight
        buffer.commit(n);
      }
      conn->idle = false;

      RequestContext ctx;
      ctx.start_nanos = clock->MonotonicNanos();
      ctx.request.remote_address = conn->remote;
      ctx.request.client_cert_subject = conn->cert_subject;
      bhttp::request_parser<bhttp::empty_body> header_parser;
      header_parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
      header_parser.body_limit(std::numeric_limits<uint64_t>::max());
      conn->Arm(options.header_timeout);
      co_await bhttp::async_read_header(stream, buffer, header_parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      conn->Disarm();
      if (ec) {
        if (conn->timed_out || !IsDisconnect(ec)) {
          co_await TransportError(*conn, stream, ctx, ec, 0);
        }
        break;
      }
      FillRequest(header_parser, &ctx.request, &ctx.bytes_received);
      const bool keep_alive = header_parser.get().keep_alive();

      Status target_status = ParseTarget(ctx.request.target, &ctx.request.path, &ctx.request.query);
      RouteMatch match;
      if (target_status.ok()) {
        match = router->Match(ctx.request.method, ctx.request.path);
        ctx.route = match.route;
        if (match.route != nullptr) {
          ctx.params = std::move(match.params);
          ctx.resource = Router::ResolveResource(*match.route, ctx.params);
        }
      }

      bool stopped = true;
      const size_t ran = CheckFraming(ctx) ? chain->RunRequest(ctx, &stopped) : 0;
      bool admitted = !stopped && Admit(ctx, target_status, match);
      body_consumed = !ctx.request.has_body();
      bool transport_failed = false;

      if (admitted) {
        auto expect = ctx.request.headers.Get("Expect");
        if (expect && MediaType(*expect) == "100-continue" && ctx.request.has_body()) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
          conn->transport().expires_after(options.write_timeout);
          co_await bhttp::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
          if (ec) {
            Abandon(ctx, ran);
            break;
          }
        }
        if (ctx.route->streaming) {
          std::unique_ptr<BodySink> sink;
          {
            log::ScopedRequestId rid(ctx.request_id);
            sink = ctx.route->stream_handler(ctx);
          }
          if (sink) {
            bhttp::request_parser<bhttp::buffer_body> body_parser{std::move(header_parser)};
            body_parser.body_limit(std::numeric_limits<uint64_t>::max());
            std::vector<char> chunk(kStreamChunk);
            Status sink_status;
            while (!body_parser.is_done()) {
              body_parser.get().body().data = chunk.data();
              body_parser.get().body().size = chunk.size();
              conn->Arm(options.body_timeout);
              co_await bhttp::async_read(stream, buffer, body_parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
              conn->Disarm();
              if (ec == bhttp::error::need_buffer) ec = {};
              if (ec) break;
              const size_t n = chunk.size() - body_parser.get().body().size;
              if (n == 0) continue;
              ctx.bytes_received += static_cast<int64_t>(n);
              auto feed = [&] {
                log::ScopedRequestId rid(ctx.request_id);
                sink_status = sink->OnData(std::string_view(chunk.data(), n));
              };
              co_await RunOnPool(pool, feed);
              if (!sink_status.ok()) break;
            }
            if (ec) {
              transport_failed = true;
              if (conn->timed_out || !IsDisconnect(ec)) {
                co_await TransportError(*conn, stream, ctx, ec, ran);
              } else {
                Abandon(ctx, ran);
              }
            } else if (!sink_status.ok()) {
              SetProblem(ctx, sink_status);
              ctx.close_connection = !body_parser.is_done();
            } else {
              body_consumed = true;
              auto end = [&] {
                log::ScopedRequestId rid(ctx.request_id);
                sink->OnEnd(ctx);
              };
              co_await RunOnPool(pool, end);
            }
          }
        } else {
          if (ctx.request.has_body()) {
            bhttp::request_parser<bhttp::string_body> body_parser{std::move(header_parser)};
            body_parser.body_limit(limits->BodyLimit(ctx.route));
            conn->Arm(options.body_timeout);
            co_await bhttp::async_read(stream, buffer, body_parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
            conn->Disarm();
            if (ec) {
              transport_failed = true;
              if (conn->timed_out || !IsDisconnect(ec)) {
                co_await TransportError(*conn, stream, ctx, ec, ran);
              } else {
                Abandon(ctx, ran);
              }
            } else {
              ctx.request.body = std::move(body_parser.get().body());
              ctx.bytes_received += static_cast<int64_t>(ctx.request.body.size());
              body_consumed = true;
            }
          }
          if (!transport_failed) {
            if (ctx.route->exec == Exec::kInline) {
              RunHandler(ctx);
            } else {
              auto run = [&] { RunHandler(ctx); };
              co_await RunOnPool(pool, run);
            }
          }
        }
      }
      if (transport_failed) {
        body_consumed = false;
        break;
      }

      std::shared_ptr<StreamState> streamed;
      // However this coroutine ends — even destroyed at shutdown while waiting — a producer
      // blocked on a full queue is released.
      struct AbandonOnExit {
        std::shared_ptr<StreamState>* state;
        ~AbandonOnExit() {
          if (*state) (*state)->Abandon();
        }
      } abandon_on_exit{&streamed};
      if (ctx.response.stream) {
        if (ctx.response.status == 200 && ctx.request.method != Method::kHead) {
          streamed = co_await StartStream(ctx);
        } else {
          ctx.response.stream = nullptr;
        }
      }
      chain->RunResponse(ctx, ran);
      co_await Commit(ctx);
      if (streamed && ctx.response.status != 200) {  // the audit commit failed: nothing leaves
        streamed->Abandon();
        streamed.reset();
      }
      const bool keep = keep_alive && !draining.load() && !ctx.close_connection && body_consumed;
      if (streamed) {
        co_await WriteStream(*conn, stream, ctx, *streamed, keep, ec);
      } else {
        co_await Write(*conn, stream, ctx, keep, ec);
      }
      chain->RunComplete(ctx);
      if (ec || !keep) break;
    }
    co_await Close(*conn, stream, buffer, body_consumed);
  }

  // Closes gracefully. When a request body was left unread, keeps reading (and discarding) for
  // a moment after shutting down our side, so the client receives our reply instead of a reset.
  asio::awaitable<void> Close(Conn& conn, beast::ssl_stream<beast::tcp_stream>& stream,
                              beast::flat_buffer&, bool) {
    // close_notify, briefly waiting for the peer's; an unread request body is not drained
    // through TLS (the reply was already sent in full).
    error_code ec;
    conn.transport().expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    conn.transport().close();
  }

  asio::awaitable<void> Close(Conn&, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                              bool body_consumed) {
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!body_consumed && !ec) {
      stream.expires_after(std::chrono::seconds(2));
      size_t drained = 0;
      while (drained < (8u << 20)) {
        buffer.consume(buffer.size());
        const size_t n = co_await stream.async_read_some(
            buffer.prepare(65536), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        drained += n;
      }
    }
    stream.close();
  }

  ServerOptions options;
  const Router* router;
  const FilterChain* chain;
  const LimitsFilter* limits;
  Clock* clock;
  const int io_threads;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  asio::io_context& ioc;  // contexts[0]: acceptor, signals, shutdown
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  tcp::acceptor acceptor;
  tcp::acceptor tls_acceptor;
  std::unique_ptr<ssl::context> tls_context;
  asio::signal_set signals;
  asio::thread_pool pool;
  const std::string server_header;
  std::function<void()> on_drain;
  std::atomic<bool> draining{false};
  prometheus::Gauge* connections_gauge;
  prometheus::Counter* rejected;
  std::mutex mu;
  std::unordered_map<Conn*, std::shared_ptr<Conn>> conns;
};

Server::Server(ServerOptions options, const Router* router, const FilterChain* chain,
               const LimitsFilter* limits, metrics::Registry* registry, Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(options), router, chain, limits, registry, clock)) {}

Server::~Server() = default;

namespace {

Status Bind(asio::io_context& ioc, tcp::acceptor& acc, const std::string& host, uint16_t port) {
  error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  const std::string where = host + ":" + std::to_string(port);
  if (ec || results.empty()) {
    return InvalidArgument("cannot resolve listen address " + where + ": " + ec.message());
  }
  const tcp::endpoint ep = results.begin()->endpoint();
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(1024, ec);
  if (ec) return Unavailable("cannot listen on " + where + ": " + ec.message());
  return Status::Ok();
}

// TLS 1.2+ server context; verifies client certificates against `o.client_ca_file` when set.
Result<std::unique_ptr<ssl::context>> MakeTlsContext(const TlsOptions& o) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (!ec) ctx->use_certificate_chain_file(o.cert_file, ec);
  if (ec) return InvalidArgument("tls cert " + o.cert_file + ": " + ec.message());
  ctx->use_private_key_file(o.key_file, ssl::context::pem, ec);
  if (ec) return InvalidArgument("tls key " + o.key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return InvalidArgument("tls key " + o.key_file + " does not match the certificate");
  }
  if (!o.client_ca_file.empty()) {
    ctx->load_verify_file(o.client_ca_file, ec);
    if (ec) return InvalidArgument("tls client_ca " + o.client_ca_file + ": " + ec.message());
    // Tell clients which CA's certificates are wanted.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    }
    ctx->set_verify_mode(
        ssl::verify_peer |
            (o.require_client_cert ? ssl::verify_fail_if_no_peer_cert : ssl::verify_mode(0)),
        ec);
    if (ec) return InvalidArgument("tls client verification: " + ec.message());
  }
  return ctx;
}

}  // namespace

Status Server::Listen() {
  Impl& s = *impl_;
  RETURN_IF_ERROR(Bind(s.ioc, s.acceptor, s.options.host, s.options.port));
  if (!s.options.tls.host.empty()) {
    ASSIGN_OR_RETURN(s.tls_context, MakeTlsContext(s.options.tls));
    RETURN_IF_ERROR(Bind(s.ioc, s.tls_acceptor, s.options.tls.host, s.options.tls.port));
  }
  return Status::Ok();
}

uint16_t Server::port() const {
  error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

uint16_t Server::tls_port() const {
  if (!impl_->tls_acceptor.is_open()) return 0;
  error_code ec;
  auto ep = impl_->tls_acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

Status Server::Run(bool handle_signals, std::function<void()> on_drain) {
  Impl& s = *impl_;
  s.on_drain = std::move(on_drain);
  asio::co_spawn(s.ioc, s.AcceptLoop(s.acceptor, nullptr), asio::detached);
  if (s.tls_context) {
    asio::co_spawn(s.ioc, s.AcceptLoop(s.tls_acceptor, s.tls_context.get()), asio::detached);
  }
  // The signal set doubles as the "keep running" anchor: DrainWatcher cancels it at the end.
  error_code ec;
  if (handle_signals) {
    s.signals.add(SIGINT, ec);
    s.signals.add(SIGTERM, ec);
  }
  std::function<void(const error_code&, int)> on_signal;
  on_signal = [&s, &on_signal](const error_code& e, int sig) {
    if (e) return;
    log::Info("signal received", log::Fields().Add("signal", sig));
    s.BeginShutdown();
    s.signals.async_wait(on_signal);  // a second signal forces the close
  };
  s.signals.async_wait(on_signal);
  for (auto& c : s.contexts) s.guards.push_back(asio::make_work_guard(*c));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < s.contexts.size(); ++i) {
    threads.emplace_back([&s, i] { s.contexts[i]->run(); });
  }
  s.ioc.run();
  for (auto& t : threads) t.join();
  s.pool.join();
  return Status::Ok();
}

void Server::Shutdown() {
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->BeginShutdown(); });
}

}  // namespace crmi::http
