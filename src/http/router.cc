#include "src/http/router.h"

#include <cassert>

namespace crmi::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (size_t i = 0; i < routes_.size(); ++i) {
    const std::string& pat = routes_[i].pattern;
    Pattern* existing = nullptr;
    for (auto& p : patterns_) {
      if (routes_[p.route_indexes.front()].pattern == pat) existing = &p;
    }
    if (existing != nullptr) {
      existing->route_indexes.push_back(i);
      continue;
    }
    Pattern p;
    for (std::string_view s : Split(pat)) {
      Segment seg;
      if (!s.empty() && s.front() == '{') {
        const size_t close = s.find('}');
        assert(close != std::string_view::npos);
        seg.text = std::string(s.substr(1, close - 1));
        seg.verb = std::string(s.substr(close + 1));
        seg.kind = seg.verb.empty() ? Segment::Kind::kParam : Segment::Kind::kParamWithVerb;
      } else {
        seg.kind = Segment::Kind::kLiteral;
        seg.text = std::string(s);
      }
      p.segments.push_back(std::move(seg));
    }
    p.route_indexes.push_back(i);
    patterns_.push_back(std::move(p));
  }
}

bool Router::MatchPattern(const Pattern& p, const std::vector<std::string_view>& segs,
                          std::vector<std::pair<std::string, std::string>>* params,
                          bool* bad) const {
  if (p.segments.size() != segs.size()) return false;
  params->clear();
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& seg = p.segments[i];
    std::string_view s = segs[i];
    switch (seg.kind) {
      case Segment::Kind::kLiteral:
        if (s != seg.text) return false;
        break;
      case Segment::Kind::kParamWithVerb:
        if (s.size() <= seg.verb.size() || s.substr(s.size() - seg.verb.size()) != seg.verb) {
          return false;
        }
        s.remove_suffix(seg.verb.size());
        [[fallthrough]];
      case Segment::Kind::kParam: {
        if (s.empty()) return false;
        auto decoded = PercentDecode(s, /*plus_as_space=*/false);
        if (!decoded) {
          *bad = true;
          return false;
        }
        params->emplace_back(seg.text, std::move(*decoded));
        break;
      }
    }
  }
  return true;
}

RouteMatch Router::Match(Method method, std::string_view path) const {
  RouteMatch m;
  const auto segs = Split(path);
  std::vector<std::pair<std::string, std::string>> params;
  for (const Pattern& p : patterns_) {
    if (!MatchPattern(p, segs, &params, &m.bad_encoding)) {
      if (m.bad_encoding) return m;
      continue;
    }
    // HEAD is served by the GET route; the server drops the body.
    const Method wanted = method == Method::kHead ? Method::kGet : method;
    for (size_t idx : p.route_indexes) {
      if (routes_[idx].method == wanted) {
        m.route = &routes_[idx];
        m.params = std::move(params);
        return m;
      }
    }
    m.path_matched = true;
    for (size_t idx : p.route_indexes) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += MethodName(routes_[idx].method);
    }
    return m;
  }
  return m;
}

std::string Router::ResolveResource(
    const Route& route, const std::vector<std::pair<std::string, std::string>>& params) {
  const std::string& r = route.resource;
  if (r.size() < 2 || r.front() != '{' || r.back() != '}') return r;
  const std::string_view name(r.data() + 1, r.size() - 2);
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return r;
}

}  // namespace crmi::http
