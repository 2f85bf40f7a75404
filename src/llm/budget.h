// Rate limits and token budgets for model calls: requests per minute and tokens per minute per
// principal, tokens per minute per tenant and per model alias (token buckets), and a monthly
// token budget per tenant.
//
// Tokens are reserved before a call — the prompt's estimate plus the completion's ceiling (the
// max_tokens the model is given) — from every budget at once or from none, and reconciled with
// the model's reported usage after it: unused tokens go back, extra ones are charged (a bucket
// may go into debt, which delays the next calls). Because every reservation is checked against
// what is left after all outstanding reservations, concurrent calls cannot together overspend
// the monthly budget. Monthly usage survives restarts (a small file, replaced atomically after
// every reconciliation).
//
// Thread-safety: all methods may be called from any thread.
#ifndef CRMI_LLM_BUDGET_H_
#define CRMI_LLM_BUDGET_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "src/common/clock.h"
#include "src/common/status.h"

namespace crmi::llm {

struct BudgetLimits {  // 0: unlimited
  int64_t principal_requests_per_minute = 0;
  int64_t principal_tokens_per_minute = 0;
  int64_t tenant_tokens_per_minute = 0;
  int64_t model_tokens_per_minute = 0;
  int64_t tenant_tokens_per_month = 0;
  int64_t completion_tokens = 1024;  // the completion ceiling when a request sets none
};

class TokenBudget {
 public:
  struct Reservation {
    std::string principal, tenant, model, month;
    int64_t tokens = 0;
  };

  // `state_file` ("" = not persisted) holds monthly usage; `clock` must outlive the budget.
  TokenBudget(BudgetLimits limits, const Clock* clock, std::string state_file);

  // Loads the monthly usage; kDataLoss when the file exists but cannot be read.
  Status Load();

  // kResourceExhausted with *retry_after_s (when not null) set to the seconds until the call
  // could pass, when any budget lacks the tokens or the principal its request.
  Result<Reservation> Reserve(const std::string& principal, const std::string& tenant,
                              const std::string& model, int64_t tokens, int* retry_after_s);
  // Reconciles a reservation with what the call used (0 when it failed before the model).
  void Settle(const Reservation& r, int64_t used);

  const BudgetLimits& limits() const { return limits_; }
  // Tokens used by `tenant` in the current month (reserved or settled).
  int64_t MonthUsed(const std::string& tenant);

 private:
  struct Bucket {
    double level = -1;  // tokens available; < 0 until first use (then full)
    int64_t at_ms = 0;
  };
  // Refills `b` (capacity per minute) to now; returns the available amount.
  double Refill(Bucket& b, int64_t capacity, int64_t now_ms);
  std::string Month(int64_t now_ms) const;
  void SaveLocked();

  const BudgetLimits limits_;
  const Clock* clock_;
  const std::string state_file_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;      // "r:<principal>", "p:", "t:", "m:"
  std::map<std::string, int64_t> month_used_;  // "<tenant>\n<YYYY-MM>" → tokens
};

}  // namespace crmi::llm

#endif  // CRMI_LLM_BUDGET_H_
