// ActionDispatcher: delivers queued actions (the actions collection) to the tenant's engagement
// system through a webhook, one action at a time, with consent checked at the last moment.
//
// For each queued action, in seq order:
//   1. claim: patch status queued → sending (with If-Match, so two dispatchers never both claim
//      it) and fix its channel (the action's own, else the contact's preferred_channel). The
//      claim is a write of a marketing action in an active status, so the consent rule
//      (crm/consent.h) runs in that transaction: a contact who withdrew consent.marketing since
//      the action was queued makes the claim fail and the action becomes "suppressed" instead
//      (outcome "consent.marketing withdrawn"). A marketing action without a channel (preferred
//      channel "none") is suppressed too.
//   2. POST the action to the webhook: {"id", "tenant", "contact_id", "kind", "purpose",
//      "channel", "product_id", "message"} with header Idempotency-Key: <tenant>/<id>. The payload
//      names the contact by id only: the receiving system resolves the person itself.
//   3. 2xx → "sent" (sent_at, outcome "delivered: HTTP <code>"); anything else → back to
//      "queued" with attempts + 1 and a back-off (retry_base_ms), or "failed" after
//      max_attempts. Actions backing off are stepped over, not waited for.
//      A requeue is a write of an active marketing action, so consent is checked again: a
//      contact who withdrew during the attempt makes it "suppressed".
// Delivery is at least once: a crash between 2 and 3 leaves the action "sending"; at start those
// are queued again, or suppressed if consent was withdrawn (the receiver deduplicates on
// Idempotency-Key).
//
// Every outcome is reported to `on_event` (the audit trail) and counted in
// crmi_actions_total{result=sent|suppressed|failed|retried}.
//
// Thread-safety: RunOnce may be called from any thread but not concurrently with itself (nor
// while the loop runs); Start/Stop from one owner thread; Poke from any thread.
#ifndef CRMI_SIGNALS_DISPATCHER_H_
#define CRMI_SIGNALS_DISPATCHER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "src/common/clock.h"
#include "src/common/metrics.h"
#include "src/common/status.h"
#include "src/crm/record_service.h"

namespace crmi::signals {

struct DispatcherOptions {
  std::string webhook_url;    // http:// or https://; required
  std::string webhook_token;  // sent as "Authorization: Bearer"; optional, never logged
  std::chrono::milliseconds interval{1000};
  int batch = 100;  // queued actions per tenant per pass
  int max_attempts = 5;
  int timeout_ms = 5000;
  // A failed delivery waits base·2^attempts (≤ 60 s), the second half of it jittered.
  int retry_base_ms = 1000;
};

struct ActionEvent {
  std::string tenant;
  std::string action_id;
  std::string contact_id;
  std::string purpose;
  std::string result;  // sent, suppressed, failed, retried
  std::string detail;  // outcome text
};

struct DispatchCounts {
  int sent = 0, suppressed = 0, failed = 0, retried = 0;
};

class ActionDispatcher {
 public:
  // `records`, `clock` and `registry` (nullable) must outlive the dispatcher.
  ActionDispatcher(crm::RecordService* records, DispatcherOptions options, Clock* clock,
                   metrics::Registry* registry, std::function<void(const ActionEvent&)> on_event);
  ~ActionDispatcher();

  // Queues again the actions a previous run left "sending" (at-least-once delivery).
  Status Recover();
  // One pass over every tenant's queued actions.
  Result<DispatchCounts> RunOnce();

  void Start();  // Recover, then a pass every interval
  void Stop();
  // Wakes the loop for a pass now (after a new action was queued).
  void Poke();

 private:
  struct Metrics;
  void Loop();
  Status Deliver(const std::string& tenant, const store::StoredRecord& action,
                 DispatchCounts* counts);
  void Report(ActionEvent e);

  crm::RecordService* records_;
  DispatcherOptions options_;
  Clock* clock_;
  std::function<void(const ActionEvent&)> on_event_;
  std::unique_ptr<Metrics> metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
  int listener_ = -1;
  // tenant/id → earliest next attempt (ms) after a failed delivery; RunOnce's thread only.
  std::unordered_map<std::string, int64_t> not_before_;
  std::thread thread_;
};

}  // namespace crmi::signals

#endif  // CRMI_SIGNALS_DISPATCHER_H_
