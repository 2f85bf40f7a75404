// The search request body (POST /v1/search), parsed without the HTTP layer so that it can be
// fuzzed: {"query", "k", "mode", "fusion", "mmr", "filters": {collection, contact_id,
// account_id, owner_id, region, id, from, to}}. Unknown members and filter fields are errors.
#ifndef CRMI_HTTP_HANDLERS_SEARCH_H_
#define CRMI_HTTP_HANDLERS_SEARCH_H_

#include <string_view>

#include "src/common/status.h"
#include "src/retrieval/retrieval_service.h"

namespace crmi::http::handlers {

// kInvalidArgument naming the offending member; fills everything but tenant and scopes.
Status ParseSearchRequest(std::string_view body, retrieval::SearchRequest* req);

}  // namespace crmi::http::handlers

#endif  // CRMI_HTTP_HANDLERS_SEARCH_H_
