// What handlers need from the rest of crmi. Owned by the serve command; outlives the server.
#ifndef CRMI_HTTP_APP_H_
#define CRMI_HTTP_APP_H_

#include <atomic>
#include <set>
#include <string>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/crm/record_service.h"
#include "src/crm/schema.h"
#include "src/store/store.h"

namespace crmi::audit {
class AuditLog;
}  // namespace crmi::audit

namespace crmi::llm {
class AskService;
class TemplateRegistry;
}  // namespace crmi::llm

namespace crmi::privacy {
class ContactNames;
class Detector;
class Vault;
}  // namespace crmi::privacy

namespace crmi::retrieval {
class RetrievalService;
}  // namespace crmi::retrieval

namespace crmi::signals {
class Decisioning;
}  // namespace crmi::signals

namespace crmi::trust {
class ApiKeyStore;
class ApprovalQueue;
class PolicyStore;
}  // namespace crmi::trust

namespace crmi::http {

struct App {
  store::Store* store = nullptr;
  crm::RecordService* records = nullptr;
  const crm::Schema* schema = nullptr;
  metrics::Registry* metrics = nullptr;
  Clock* clock = Clock::Real();
  trust::PolicyStore* policies = nullptr;
  trust::ApiKeyStore* api_keys = nullptr;
  retrieval::RetrievalService* retrieval = nullptr;  // null: search answers 503
  const privacy::Detector* detector = nullptr;       // null: privacy routes answer 503
  privacy::ContactNames* contact_names = nullptr;    // null: built-in name words only
  privacy::Vault* vault = nullptr;                   // null: tokenisation answers 503
  llm::AskService* ask = nullptr;                    // null: /v1/ask answers 503
  std::string ask_default_model = "default";         // the alias used when none is named
  llm::TemplateRegistry* templates = nullptr;        // null: only the built-in template
  trust::ApprovalQueue* approvals = nullptr;         // null: answers needing approval are 403
  signals::Decisioning* decisioning = nullptr;       // null: scores and recommendations 503
  // Aliases whose chat completions are grounded in the tenant's records ([llm] grounded_models).
  std::set<std::string> grounded_models;
  std::string audit_dir;  // <data-dir>/audit, read by GET /v1/audit
  // Health for /readyz, and completion records of streamed answers; null in tests without one.
  audit::AuditLog* audit = nullptr;
  // Set when shutdown begins: /readyz turns 503 so load balancers stop sending traffic.
  std::atomic<bool> draining{false};
};

}  // namespace crmi::http

#endif  // CRMI_HTTP_APP_H_
