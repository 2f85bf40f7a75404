// Routes and the router. The route table itself is declared in one place, routes.cc.
//
// A route pattern is a sequence of segments: literals ("v1"), parameters ("{id}") and parameters
// with a custom-method suffix ("{collection}:import", Google AIP-136 style). Patterns are tried
// in declaration order; the first whose path matches decides, and among the routes sharing that
// pattern the method picks one — or the router reports 405 with the allowed methods.
//
// Every route names the resource and action the authorization filter decides on; "{collection}"
// in a resource is replaced by that parameter's value.
#ifndef CRMI_HTTP_ROUTER_H_
#define CRMI_HTTP_ROUTER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/http/message.h"

namespace crmi::http {

// Receives a request body in pieces (streaming routes). Runs on worker threads.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Non-OK aborts the request: its status becomes the response and the connection closes.
  virtual Status OnData(std::string_view chunk) = 0;
  // The whole body arrived; sets ctx.response.
  virtual void OnEnd(RequestContext& ctx) = 0;
};

using Handler = std::function<void(RequestContext&)>;
// Returns null after setting ctx.response to refuse the request before its body is read.
using StreamHandler = std::function<std::unique_ptr<BodySink>(RequestContext&)>;

enum class Exec {
  kInline,    // cheap and non-blocking: runs on the I/O thread
  kBlocking,  // may wait on the store: runs on the worker pool
};

struct Route {
  Method method;
  std::string pattern;   // "/v1/{collection}/{id}"
  std::string name;      // stable name for logs and metrics: "records.get"
  std::string resource;  // "{collection}", "customers", "system"
  std::string action;    // "read", "list", "create", "update", "delete", "import", ...
  Exec exec = Exec::kBlocking;
  // Accepted request media types; empty means the route takes no body.
  std::vector<std::string> accepts;
  bool streaming = false;  // body delivered through stream_handler, without a size limit
  Handler handler;
  StreamHandler stream_handler;
  // Obligations the handler applies (Applies bits); others make a permit unenforceable.
  unsigned applies = kAppliesNothing;
  // Served without authentication (liveness and readiness probes only).
  bool public_route = false;
};

struct RouteMatch {
  const Route* route = nullptr;  // set when path and method matched
  std::vector<std::pair<std::string, std::string>> params;
  bool path_matched = false;  // path matched but method did not: 405
  std::string allow;          // "GET, POST" when path_matched
  bool bad_encoding = false;  // a path segment had invalid percent-encoding
};

class Router {
 public:
  explicit Router(std::vector<Route> routes);

  RouteMatch Match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

  // "{collection}" in route.resource replaced by the parameter's value.
  static std::string ResolveResource(
      const Route& route, const std::vector<std::pair<std::string, std::string>>& params);

 private:
  struct Segment {
    enum class Kind { kLiteral, kParam, kParamWithVerb } kind;
    std::string text;  // literal text or parameter name
    std::string verb;  // for kParamWithVerb: ":import"
  };
  struct Pattern {
    std::vector<Segment> segments;
    std::vector<size_t> route_indexes;  // routes sharing this pattern
  };

  bool MatchPattern(const Pattern& p, const std::vector<std::string_view>& segs,
                    std::vector<std::pair<std::string, std::string>>* params, bool* bad) const;

  std::vector<Route> routes_;
  std::vector<Pattern> patterns_;
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_ROUTER_H_
