#include "src/llm/budget.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

#include "src/common/binary_file.h"
#include "src/common/log.h"

namespace crmi::llm {

TokenBudget::TokenBudget(BudgetLimits limits, const Clock* clock, std::string state_file)
    : limits_(limits), clock_(clock), state_file_(std::move(state_file)) {}

std::string TokenBudget::Month(int64_t now_ms) const {
  const time_t t = static_cast<time_t>(now_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return buf;
}

// File format: one "<tenant> <YYYY-MM> <tokens>" line per entry.
Status TokenBudget::Load() {
  if (state_file_.empty()) return Status::Ok();
  std::ifstream in(state_file_);
  if (!in) return Status::Ok();  // nothing used yet
  std::lock_guard lock(mu_);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string tenant, month;
    int64_t tokens = 0;
    if (!(fields >> tenant >> month >> tokens) || tokens < 0) {
      return DataLoss("token budget state " + state_file_ + " is damaged");
    }
    month_used_[tenant + "\n" + month] = tokens;
  }
  return Status::Ok();
}

void TokenBudget::SaveLocked() {
  if (state_file_.empty()) return;
  std::string out;
  for (const auto& [key, tokens] : month_used_) {
    const size_t nl = key.find('\n');
    out += key.substr(0, nl) + " " + key.substr(nl + 1) + " " + std::to_string(tokens) + "\n";
  }
  Status s = WriteFileAtomically(state_file_, out);
  if (!s.ok()) {
    log::Error("token budget state not saved", log::Fields().Add("error", s.ToString()));
  }
}

double TokenBudget::Refill(Bucket& b, int64_t capacity, int64_t now_ms) {
  if (b.level < 0) {
    b.level = static_cast<double>(capacity);
  } else {
    const double rate = static_cast<double>(capacity) / 60000.0;  // per millisecond
    b.level =
        std::min(static_cast<double>(capacity),
                 b.level + rate * static_cast<double>(std::max<int64_t>(0, now_ms - b.at_ms)));
  }
  b.at_ms = now_ms;
  return b.level;
}

Result<TokenBudget::Reservation> TokenBudget::Reserve(const std::string& principal,
                                                      const std::string& tenant,
                                                      const std::string& model, int64_t tokens,
                                                      int* retry_after_s) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowUnixMillis();
  Reservation r{principal, tenant, model, Month(now), std::max<int64_t>(tokens, 0)};
  struct Need {
    const char* what;
    Bucket* bucket;
    int64_t capacity;
    double amount;
  };
  std::vector<Need> needs;
  auto add = [&](const char* what, const std::string& key, int64_t capacity, double amount) {
    if (capacity <= 0) return;
    Bucket& b = buckets_[key];
    Refill(b, capacity, now);
    // A call larger than a minute's allowance passes once the bucket is full.
    needs.push_back({what, &b, capacity, std::min(amount, static_cast<double>(capacity))});
  };
  add("requests per minute for this caller", "r:" + principal,
      limits_.principal_requests_per_minute, 1);
  add("tokens per minute for this caller", "p:" + principal, limits_.principal_tokens_per_minute,
      static_cast<double>(r.tokens));
  add("tokens per minute for this tenant", "t:" + tenant, limits_.tenant_tokens_per_minute,
      static_cast<double>(r.tokens));
  add("tokens per minute for this model", "m:" + model, limits_.model_tokens_per_minute,
      static_cast<double>(r.tokens));
  double wait_s = 0;
  std::string short_of;
  for (const Need& n : needs) {
    if (n.bucket->level >= n.amount) continue;
    const double rate = static_cast<double>(n.capacity) / 60.0;  // per second
    const double w = (n.amount - n.bucket->level) / rate;
    if (w > wait_s) {
      wait_s = w;
      short_of = n.what;
    }
  }
  const std::string month_key = tenant + "\n" + r.month;
  if (limits_.tenant_tokens_per_month > 0 &&
      month_used_[month_key] + r.tokens > limits_.tenant_tokens_per_month) {
    // Until the first second of next month (UTC).
    const time_t t = static_cast<time_t>(now / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    tm.tm_mon += 1;
    tm.tm_mday = 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    const double until = static_cast<double>(timegm(&tm)) - static_cast<double>(now) / 1000.0;
    if (until > wait_s) {
      wait_s = until;
      short_of = "the tenant's monthly token budget";
    }
  }
  if (!short_of.empty()) {
    if (retry_after_s != nullptr) *retry_after_s = static_cast<int>(std::ceil(wait_s));
    return ResourceExhausted("model budget exhausted: " + short_of + "; retry after " +
                             std::to_string(static_cast<int64_t>(std::ceil(wait_s))) + " s");
  }
  for (const Need& n : needs) n.bucket->level -= n.amount;
  month_used_[month_key] += r.tokens;
  return r;
}

void TokenBudget::Settle(const Reservation& r, int64_t used) {
  std::lock_guard lock(mu_);
  const int64_t diff = std::max<int64_t>(used, 0) - r.tokens;
  for (const auto& [key, capacity] :
       {std::pair<std::string, int64_t>{"p:" + r.principal, limits_.principal_tokens_per_minute},
        {"t:" + r.tenant, limits_.tenant_tokens_per_minute},
        {"m:" + r.model, limits_.model_tokens_per_minute}}) {
    if (capacity <= 0) continue;
    Bucket& b = buckets_[key];
    Refill(b, capacity, clock_->NowUnixMillis());
    b.level = std::min(static_cast<double>(capacity), b.level - static_cast<double>(diff));
  }
  int64_t& month = month_used_[r.tenant + "\n" + r.month];
  month = std::max<int64_t>(0, month + diff);
  SaveLocked();
}

int64_t TokenBudget::MonthUsed(const std::string& tenant) {
  std::lock_guard lock(mu_);
  return month_used_[tenant + "\n" + Month(clock_->NowUnixMillis())];
}

}  // namespace crmi::llm
