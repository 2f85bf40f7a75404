// Request targets and routing: any bytes give a parse error or a path the router can match.
#include <cstdlib>
#include <string>

#include "src/http/filters/access_log.h"
#include "src/http/message.h"
#include "src/http/router.h"
#include "tests/fuzz/fuzz.h"

namespace {
const crmi::http::Router& TestRouter() {
  static const crmi::http::Router* r = [] {
    std::vector<crmi::http::Route> routes;
    for (const char* p : {"/v1/{collection}:import", "/v1/{collection}", "/v1/{collection}/{id}",
                          "/v1/customers/{contact_id}/360", "/healthz"}) {
      crmi::http::Route route;
      route.method = crmi::http::Method::kGet;
      route.pattern = p;
      route.name = p;
      route.resource = "{collection}";
      routes.push_back(route);
    }
    return new crmi::http::Router(std::move(routes));
  }();
  return *r;
}
}  // namespace

CRMI_FUZZ_TARGET(http_target) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string path;
  crmi::http::QueryParams query;
  if (crmi::http::ParseTarget(in, &path, &query).ok()) {
    auto m = TestRouter().Match(crmi::http::Method::kGet, path);
    if (m.route != nullptr) {
      (void)crmi::http::Router::ResolveResource(*m.route, m.params);
    }
    (void)crmi::http::LoggablePath(path);
  }
  (void)crmi::http::MediaType(in);
  (void)crmi::http::PercentDecode(in, true);
  return 0;
}
