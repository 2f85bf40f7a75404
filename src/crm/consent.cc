#include "src/crm/consent.h"

#include <rapidjson/document.h>

#include <string>

#include "src/common/json_parse.h"

namespace crmi::crm {
namespace {

constexpr std::string_view kRefusalPrefix = "consent required: ";

bool ActiveStatus(std::string_view status) {
  return status == "proposed" || status == "queued" || status == "sending" || status == "sent";
}

}  // namespace

std::string_view ConsentPath(Consent c) {
  return c == Consent::kMarketing ? "consent.marketing" : "consent.profiling";
}

bool DocConsents(std::string_view contact_doc, Consent c) {
  rapidjson::Document d;
  if (!ParseJson(contact_doc, &d).ok || !d.IsObject()) return false;
  const rapidjson::Value* v = JsonAtPath(d, ConsentPath(c));
  return v != nullptr && v->IsBool() && v->GetBool();
}

Status ConsentRefusal(std::string_view contact_id, Consent c) {
  std::string m(kRefusalPrefix);
  m += "contact '";
  m += contact_id;
  m += c == Consent::kMarketing ? "' has not consented to marketing (consent.marketing)"
                                : "' has not consented to profiling (consent.profiling)";
  return PermissionDenied(std::move(m));
}

bool IsConsentRefusal(const Status& s) {
  return s.code() == StatusCode::kPermissionDenied && s.message().starts_with(kRefusalPrefix);
}

Status CheckActionConsent(store::ReadTxn& txn, std::string_view tenant, std::string_view doc,
                          std::string_view previous) {
  rapidjson::Document d;
  if (!ParseJson(doc, &d).ok || !d.IsObject()) return InvalidArgument("action is not an object");
  const std::string kind = JsonStringAt(d, "kind");
  if ((kind == "offer" || kind == "loyalty") && JsonStringAt(d, "purpose") != "marketing") {
    // Otherwise relabelling an offer as "service" would step around the rule.
    return InvalidArgument("purpose: an " + kind + " action is marketing");
  }
  if (JsonStringAt(d, "purpose") != "marketing") return Status::Ok();
  const std::string status = JsonStringAt(d, "status");
  if (!ActiveStatus(status)) return Status::Ok();
  if (status == "sent" && !previous.empty()) {
    // What was already handed over (sending) or sent is recorded as it happened.
    rapidjson::Document p;
    if (ParseJson(previous, &p).ok && p.IsObject()) {
      const std::string before = JsonStringAt(p, "status");
      if (before == "sent" || before == "sending") return Status::Ok();
    }
  }
  const std::string contact_id = JsonStringAt(d, "contact_id");
  auto contact = txn.Get("contacts", tenant, contact_id);
  if (!contact.ok()) {
    if (contact.status().code() == StatusCode::kNotFound) {
      return InvalidArgument("contact_id: no contact '" + contact_id + "'");
    }
    return contact.status();
  }
  if (!DocConsents(contact->doc, Consent::kMarketing)) {
    return ConsentRefusal(contact_id, Consent::kMarketing);
  }
  return Status::Ok();
}

}  // namespace crmi::crm
