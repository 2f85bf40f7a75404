#include "src/signals/dispatcher.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <vector>

#include "src/common/http_client.h"
#include "src/common/json_parse.h"
#include "src/common/json_text.h"
#include "src/common/log.h"
#include "src/common/time_format.h"
#include "src/crm/consent.h"
#include "src/crm/record.h"

namespace crmi::signals {
namespace {

int64_t Int(const rapidjson::Value& d, const char* member) {
  if (!d.IsObject()) return 0;
  auto it = d.FindMember(member);
  return it != d.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

const crm::Collection& Actions() { return *crm::Schema::Default().Find("actions"); }

store::FieldFilter StatusIs(std::string status) {
  store::FieldFilter f;
  f.field = "status";
  f.values.emplace_back(std::move(status));
  return f;
}

}  // namespace

struct ActionDispatcher::Metrics {
  prometheus::Family<prometheus::Counter>* family = nullptr;
  void Count(const std::string& result) {
    if (family != nullptr) family->Add({{"result", result}}).Increment();
  }
};

ActionDispatcher::ActionDispatcher(crm::RecordService* records, DispatcherOptions options,
                                   Clock* clock, metrics::Registry* registry,
                                   std::function<void(const ActionEvent&)> on_event)
    : records_(records),
      options_(std::move(options)),
      clock_(clock),
      on_event_(std::move(on_event)),
      metrics_(std::make_unique<Metrics>()) {
  if (registry != nullptr) {
    metrics_->family = &prometheus::BuildCounter()
                            .Name("crmi_actions_total")
                            .Help("Queued actions handled by the dispatcher, by result")
                            .Register(registry->prom());
    for (const char* r : {"sent", "suppressed", "failed", "retried"}) {
      metrics_->family->Add({{"result", r}});  // visible at 0
    }
  }
}

ActionDispatcher::~ActionDispatcher() { Stop(); }

void ActionDispatcher::Report(ActionEvent e) {
  metrics_->Count(e.result);
  if (on_event_) on_event_(e);
}

Status ActionDispatcher::Recover() {
  std::vector<std::string> tenants;
  RETURN_IF_ERROR(records_->store()->ListTenants(&tenants));
  for (const std::string& tenant : tenants) {
    std::vector<store::StoredRecord> rows;
    store::ListQuery q;
    q.collection = "actions";
    q.tenant = tenant;
    q.filters = {StatusIs("sending")};
    q.limit = 10000;
    RETURN_IF_ERROR(records_->store()->List(q, &rows));
    for (const auto& r : rows) {
      // Back to queued, unless the contact withdrew consent meanwhile (the rule runs on the
      // requeue): then it is stood down.
      auto p = records_->Patch(Actions(), tenant, r.id, R"({"status":"queued"})", crm::ETag(r));
      if (!p.ok() && crm::IsConsentRefusal(p.status())) {
        p = records_->Patch(Actions(), tenant, r.id,
                            R"({"status":"suppressed","outcome":"consent.marketing withdrawn"})",
                            crm::ETag(r));
        if (p.ok()) {
          rapidjson::Document d;
          (void)ParseJson(r.doc, &d);
          Report({tenant, r.id, JsonStringAt(d, "contact_id"), JsonStringAt(d, "purpose"),
                  "suppressed", "consent.marketing withdrawn"});
        }
      }
      if (!p.ok() && p.status().code() != StatusCode::kFailedPrecondition &&
          p.status().code() != StatusCode::kNotFound) {
        return p.status();
      }
    }
  }
  return Status::Ok();
}

Result<DispatchCounts> ActionDispatcher::RunOnce() {
  DispatchCounts counts;
  std::vector<std::string> tenants;
  RETURN_IF_ERROR(records_->store()->ListTenants(&tenants));
  const int64_t now = clock_->NowUnixMillis();
  // Back-offs that ran out (also those of actions cancelled or deleted meanwhile) are dropped.
  std::erase_if(not_before_, [now](const auto& kv) { return kv.second <= now; });
  for (const std::string& tenant : tenants) {
    // Up to `batch` deliveries per tenant and pass; actions backing off are stepped over, so
    // many of them cannot starve the ones behind.
    int attempted = 0;
    store::ListQuery q;
    q.collection = "actions";
    q.tenant = tenant;
    q.filters = {StatusIs("queued")};
    q.limit = options_.batch;
    while (attempted < options_.batch) {
      std::vector<store::StoredRecord> rows;
      RETURN_IF_ERROR(records_->store()->List(q, &rows));
      for (const auto& r : rows) {
        {
          std::lock_guard lock(mu_);
          if (stop_) return counts;
        }
        if (not_before_.contains(tenant + "/" + r.id)) continue;  // backing off
        RETURN_IF_ERROR(Deliver(tenant, r, &counts));
        if (++attempted == options_.batch) break;
      }
      if (rows.size() < static_cast<size_t>(q.limit)) break;
      q.after_seq = rows.back().seq;
    }
  }
  return counts;
}

Status ActionDispatcher::Deliver(const std::string& tenant, const store::StoredRecord& action,
                                 DispatchCounts* counts) {
  rapidjson::Document d;
  if (!ParseJson(action.doc, &d).ok || !d.IsObject()) return Status::Ok();
  ActionEvent e{tenant, action.id, JsonStringAt(d, "contact_id"), JsonStringAt(d, "purpose"),
                "",     ""};
  const bool marketing = e.purpose == "marketing";
  auto suppress = [&](const std::string& why) -> Status {
    JsonObject patch;
    patch.Add("status", "suppressed").Add("outcome", why);
    auto p = records_->Patch(Actions(), tenant, action.id, patch.Finish(), crm::ETag(action));
    if (!p.ok())
      return p.status().code() == StatusCode::kFailedPrecondition ? Status::Ok() : p.status();
    ++counts->suppressed;
    e.result = "suppressed";
    e.detail = why;
    Report(std::move(e));
    return Status::Ok();
  };

  // The channel: the action's own, else the contact's preferred one. A contact whose preferred
  // channel is "none" receives no marketing through any channel.
  std::string channel = JsonStringAt(d, "channel");
  std::string preferred;
  if (channel.empty() || marketing) {
    auto contact = records_->store()->Get("contacts", tenant, e.contact_id);
    if (contact.ok()) {
      rapidjson::Document c;
      if (ParseJson(contact->doc, &c).ok) preferred = JsonStringAt(c, "preferred_channel");
    } else if (contact.status().code() != StatusCode::kNotFound) {
      return contact.status();
    }
  }
  if (marketing && preferred == "none") {
    return suppress("no channel: the contact's preferred_channel is none");
  }
  if (channel.empty() && preferred != "none") channel = preferred;
  if (marketing && channel.empty()) return suppress("no channel for the contact");

  // 1. Claim, with the consent rule in the same transaction.
  JsonObject claim;
  claim.Add("status", "sending");
  if (!channel.empty()) claim.Add("channel", channel);
  auto claimed = records_->Patch(Actions(), tenant, action.id, claim.Finish(), crm::ETag(action));
  if (!claimed.ok()) {
    if (crm::IsConsentRefusal(claimed.status())) return suppress("consent.marketing withdrawn");
    // Changed or deleted meanwhile (cancelled by a user, claimed elsewhere): not ours.
    if (claimed.status().code() == StatusCode::kFailedPrecondition ||
        claimed.status().code() == StatusCode::kNotFound) {
      return Status::Ok();
    }
    if (claimed.status().code() == StatusCode::kInvalidArgument) {
      return suppress(claimed.status().message());  // e.g. its contact no longer exists
    }
    return claimed.status();
  }

  // 2. Hand it over. Only the id names the person.
  JsonObject payload;
  payload.Add("id", action.id)
      .Add("tenant", tenant)
      .Add("contact_id", e.contact_id)
      .Add("kind", JsonStringAt(d, "kind"))
      .Add("purpose", e.purpose)
      .Add("channel", channel);
  if (const std::string p = JsonStringAt(d, "product_id"); !p.empty()) payload.Add("product_id", p);
  if (const std::string m = JsonStringAt(d, "message"); !m.empty()) payload.Add("message", m);
  http_client::PostRequest req;
  req.url = options_.webhook_url;
  req.headers = {"Content-Type: application/json", "Idempotency-Key: " + tenant + "/" + action.id};
  if (!options_.webhook_token.empty()) {
    req.headers.push_back("Authorization: Bearer " + options_.webhook_token);
  }
  req.body = payload.Finish();
  req.timeout_ms = options_.timeout_ms;
  req.max_body = 64 << 10;
  auto resp = http_client::Post(req);

  // 3. Record what happened. "sent" is recorded whatever happened since the claim; a requeue is
  // a write of an active marketing action, so the consent rule runs again: a contact who
  // withdrew during the attempt makes it "suppressed" instead.
  const bool ok = resp.ok() && resp->status >= 200 && resp->status < 300;
  const std::string why = resp.ok() ? "HTTP " + std::to_string(resp->status)
                                    : std::string(StatusCodeName(resp.status().code()));
  const int64_t attempts = Int(d, "attempts") + (ok ? 0 : 1);
  JsonObject done;
  if (ok) {
    done.Add("status", "sent")
        .Add("sent_at", FormatRfc3339Millis(clock_->NowUnixMillis()))
        .Add("outcome", "delivered: " + why);
    e.result = "sent";
    e.detail = "delivered: " + why;
  } else {
    done.Add("status", attempts >= options_.max_attempts ? "failed" : "queued")
        .Add("attempts", attempts)
        .Add("outcome", "webhook: " + why);
    e.result = attempts >= options_.max_attempts ? "failed" : "retried";
    e.detail = "webhook: " + why;
  }
  const std::string etag = crm::ETag(claimed.value());
  auto recorded = records_->Patch(Actions(), tenant, action.id, done.Finish(), etag);
  if (!recorded.ok() && crm::IsConsentRefusal(recorded.status())) {
    JsonObject stood_down;
    stood_down.Add("status", "suppressed")
        .Add("attempts", attempts)
        .Add("outcome", "consent.marketing withdrawn");
    recorded = records_->Patch(Actions(), tenant, action.id, stood_down.Finish(), etag);
    e.result = "suppressed";
    e.detail = "consent.marketing withdrawn";
  }
  if (ok && !recorded.ok() && recorded.status().code() == StatusCode::kFailedPrecondition) {
    // Changed by someone during the call (cancelled, say): it was delivered all the same, and
    // the record must say so.
    JsonObject sent;
    sent.Add("status", "sent")
        .Add("sent_at", FormatRfc3339Millis(clock_->NowUnixMillis()))
        .Add("outcome", "delivered: " + why);
    recorded = records_->Patch(Actions(), tenant, action.id, sent.Finish(), std::nullopt);
  }
  if (!recorded.ok() && recorded.status().code() != StatusCode::kNotFound) {  // erased meanwhile
    log::Warn("could not record an action's delivery; it stays 'sending' until restart",
              log::Fields().Add("action", action.id).Add("error", recorded.status().ToString()));
  }
  if (e.result == "sent") {
    ++counts->sent;
  } else if (e.result == "failed") {
    ++counts->failed;
  } else if (e.result == "suppressed") {
    ++counts->suppressed;
  } else {
    ++counts->retried;
    // Equal jitter: at least half the exponential step, so a retry is never immediate.
    const int64_t step = std::min<int64_t>(60'000, static_cast<int64_t>(options_.retry_base_ms)
                                                       << std::min<int64_t>(attempts, 16));
    const int half = static_cast<int>(step / 2);
    not_before_[tenant + "/" + action.id] =
        clock_->NowUnixMillis() + half + http_client::BackoffMs(0, half, half);
  }
  Report(std::move(e));
  return Status::Ok();
}

void ActionDispatcher::Start() {
  // Any writer of a queued action (API, import) wakes the loop; the listener only notifies.
  listener_ = records_->store()->AddChangeListener([this](const auto& changes) {
    for (const store::RecordChange& c : changes) {
      if (c.collection == "actions" && c.kind == store::RecordChange::Kind::kUpsert) {
        Poke();
        return;
      }
    }
  });
  thread_ = std::thread([this] { Loop(); });
}

void ActionDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (listener_ >= 0) {
    records_->store()->RemoveChangeListener(listener_);
    listener_ = -1;
  }
  if (thread_.joinable()) thread_.join();
}

void ActionDispatcher::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void ActionDispatcher::Loop() {
  Status s = Recover();
  if (!s.ok()) {
    log::Warn("action dispatcher: could not requeue actions left sending",
              log::Fields().Add("error", s.ToString()));
  }
  std::unique_lock lock(mu_);
  while (!stop_) {
    poked_ = false;
    lock.unlock();
    auto r = RunOnce();
    if (!r.ok()) {
      log::Warn("action dispatch pass failed; retrying at the next interval",
                log::Fields().Add("error", r.status().ToString()));
    }
    lock.lock();
    cv_.wait_for(lock, options_.interval, [&] { return stop_ || poked_; });
  }
}

}  // namespace crmi::signals
