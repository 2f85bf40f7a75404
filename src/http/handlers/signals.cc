// GET /v1/customers/{id}/scores, POST /v1/customers:score and
// GET /v1/customers/{id}/next-best-actions: thin adapters over signals::Decisioning. The route's
// decision (contacts / score or recommend) supplies the row restriction; consent is applied by
// the library (a contact without consent.profiling is refused or listed as excluded).
#include "src/common/json_text.h"
#include "src/http/handlers/handlers.h"
#include "src/http/problem.h"
#include "src/signals/decisioning.h"

namespace crmi::http::handlers {
namespace {

bool Available(App& app, RequestContext& ctx) {
  if (app.decisioning != nullptr) return true;
  SetProblem(ctx, 503, "unavailable", "decisioning is not enabled on this server");
  return false;
}

}  // namespace

void ContactScores(App& app, RequestContext& ctx) {
  if (!Available(app, ctx)) return;
  const std::string id(ctx.Param("contact_id"));
  auto s = app.decisioning->Score(ctx.tenant, id, ctx.security.access);
  if (!s.ok()) return SetProblem(ctx, s.status());
  std::string body = "{\"contact_id\":";
  AppendJsonString(&body, id);
  body += ",\"scores\":" + signals::ScoresJson(s.value()) + "}";
  Reply(ctx, 200, std::move(body));
}

void ScoreContacts(App& app, RequestContext& ctx) {
  if (!Available(app, ctx)) return;
  auto ids = signals::ParseScoreRequest(ctx.request.body);
  if (!ids.ok()) return SetProblem(ctx, ids.status());
  auto batch = app.decisioning->ScoreMany(ctx.tenant, ids.value(), ctx.security.access);
  if (!batch.ok()) return SetProblem(ctx, batch.status());
  std::string scores = "[";
  for (size_t i = 0; i < batch->scored.size(); ++i) {
    if (i) scores += ",";
    scores += "{\"contact_id\":";
    AppendJsonString(&scores, batch->scored[i].contact_id);
    scores += ",\"scores\":" + signals::ScoresJson(batch->scored[i].scores) + "}";
  }
  scores += "]";
  JsonObject o;
  o.AddRaw("scores", scores)
      .AddRaw("excluded", JsonStringArray(batch->excluded))
      .Add("excluded_reason", "consent.profiling")
      .AddRaw("not_found", JsonStringArray(batch->not_found));
  Reply(ctx, 200, o.Finish());
}

void NextBestActions(App& app, RequestContext& ctx) {
  if (!Available(app, ctx)) return;
  const std::string id(ctx.Param("contact_id"));
  auto r = app.decisioning->Recommend(ctx.tenant, id, ctx.security.access);
  if (!r.ok()) return SetProblem(ctx, r.status());
  Reply(ctx, 200, signals::RecommendationsJson(id, r.value()));
}

}  // namespace crmi::http::handlers
