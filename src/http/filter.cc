#include "src/http/filter.h"

namespace crmi::http {

size_t FilterChain::RunRequest(RequestContext& ctx, bool* stopped) const {
  *stopped = false;
  for (size_t i = 0; i < filters_.size(); ++i) {
    if (filters_[i]->OnRequest(ctx) == FilterStatus::kStop) {
      *stopped = true;
      ctx.local_reply = true;
      return i + 1;
    }
  }
  return filters_.size();
}

void FilterChain::RunResponse(RequestContext& ctx, size_t ran) const {
  for (size_t i = ran; i > 0; --i) filters_[i - 1]->OnResponse(ctx);
}

void FilterChain::RunComplete(const RequestContext& ctx) const {
  for (const auto& f : filters_) f->OnComplete(ctx);
}

}  // namespace crmi::http
