// The search request body (POST /v1/search), parsed without the HTTP layer so that it can be
// fuzzed: {"query", "k", "mode", "fusion", "mmr", "filters": {collection, contact_id,
// account_id, owner_id, region, id, from, to}}. Unknown members and filter fields are errors.
#ifndef CRMI_HTTP_HANDLERS_SEARCH_H_
#define CRMI_HTTP_HANDLERS_SEARCH_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/common/status.h"
#include "src/http/app.h"
#include "src/http/message.h"
#include "src/retrieval/retrieval_service.h"

namespace crmi::http::handlers {

// kInvalidArgument naming the offending member; fills everything but tenant and scopes.
Status ParseSearchRequest(std::string_view body, retrieval::SearchRequest* req);

// What the policy lets the caller see of every searchable collection ("list" decisions): the
// scopes of a search or of the retrieval behind an answer. `max_rows` (may be null) receives
// the smallest max_rows obligation among them (0: none).
std::vector<retrieval::CollectionScope> SearchScopesOf(const App& app, const RequestContext& ctx,
                                                       int* max_rows = nullptr);
// The caller's "regions" attribute (residency); empty when it has none.
std::vector<std::string> CallerRegions(const RequestContext& ctx);

}  // namespace crmi::http::handlers

#endif  // CRMI_HTTP_HANDLERS_SEARCH_H_
