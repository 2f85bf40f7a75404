#include "src/http/problem.h"

#include "src/common/json_text.h"
#include "src/crm/consent.h"

namespace crmi::http {
namespace {

std::string_view DefaultSlug(int status) {
  switch (status) {
    case 400:
      return "bad-request";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not-found";
    case 405:
      return "method-not-allowed";
    case 408:
      return "request-timeout";
    case 409:
      return "conflict";
    case 412:
      return "precondition-failed";
    case 413:
      return "payload-too-large";
    case 415:
      return "unsupported-media-type";
    case 429:
      return "too-many-requests";
    case 431:
      return "header-too-large";
    case 501:
      return "not-implemented";
    case 503:
      return "unavailable";
    default:
      return "internal";
  }
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kCancelled:
      return 503;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
    case StatusCode::kUnknown:
      return 500;
  }
  return 500;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

void SetProblem(RequestContext& ctx, int status, std::string_view slug, std::string_view detail) {
  SetProblemWithMembers(ctx, status, slug, detail, {});
}

void SetProblemWithMembers(RequestContext& ctx, int status, std::string_view slug,
                           std::string_view detail,
                           const std::vector<std::pair<std::string, std::string>>& members) {
  if (slug.empty()) slug = DefaultSlug(status);
  std::string type = "urn:crmi:problem:";
  type += slug;
  JsonObject o;
  o.Add("type", type)
      .Add("title", ReasonPhrase(status))
      .Add("status", status)
      .Add("detail", detail)
      .Add("instance", ctx.request_id);
  for (const auto& [k, v] : members) o.AddRaw(k, v);
  Response& r = ctx.response;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = o.Finish();
  r.problem = std::string(slug);
  if (status == 503 || status == 429) r.headers.Set("Retry-After", "1");
}

void SetProblem(RequestContext& ctx, const Status& status, int retry_after_s) {
  SetProblem(ctx, status);
  if (retry_after_s >= 0) ctx.response.headers.Set("Retry-After", std::to_string(retry_after_s));
}

void SetProblem(RequestContext& ctx, const Status& status) {
  const int http = HttpStatusFor(status.code());
  std::string_view slug;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      slug = "invalid-argument";
      break;
    case StatusCode::kAlreadyExists:
      slug = "already-exists";
      break;
    case StatusCode::kAborted:
      slug = "concurrent-modification";
      break;
    case StatusCode::kDataLoss:
      slug = "data-loss";
      break;
    case StatusCode::kPermissionDenied:
      if (crm::IsConsentRefusal(status)) slug = "consent-required";
      break;
    default:
      break;
  }
  SetProblem(ctx, http, slug, status.message());
}

}  // namespace crmi::http
