// Tenant "maple-bank" (demo_bank.h): activities. Each client's timeline is planned (PlanClient)
// from their household's storyline, sorted by time and written topic by topic; then each case and
// each opportunity gets its thread of activities.
#include <algorithm>
#include <string>
#include <vector>

#include "src/crm/demo_bank.h"

namespace crmi::crm::demo_internal::bank {

void BankGenerator::PlanClient(uint32_t c, std::vector<Planned>* plan) const {
  const Client& cl = clients_[c];
  const Household& hh = households_[cl.household];
  const bool primary = cl.role == 0;
  const Cohort cohort = primary ? hh.cohort : Cohort::kSteady;
  Rng r = R("bank/plan", c);
  int n = primary ? static_cast<int>(r.Between(5, 14)) + hh.segment * 2
                  : static_cast<int>(r.Between(2, 6));
  const int64_t last_day = cohort == Cohort::kChurn ? anchor_day_ - 130 : anchor_day_ - 1;
  const int base_logins = static_cast<int>(r.Between(4, 24));
  auto add = [&](int64_t at, Topic t, int logins = 0, int extra = 0) {
    plan->push_back({at, t, logins, extra, base_logins + 4});
  };
  for (int i = 0; i < n; ++i) {
    const int64_t at = WorkTime(HistoryStartDay(), last_day, &r);
    // By channel: calls, emails, client questions, reviews, advisor notes, web and app digests,
    // reminders. Calls and emails are then drawn among their topics.
    static constexpr Topic kByChannel[] = {
        Topic::kRebalance,   Topic::kStatement, Topic::kClientQuestion, Topic::kAnnualReview,
        Topic::kAdvisorNote, Topic::kWebDigest, Topic::kAppDigest,      Topic::kReminder};
    const size_t channel = r.Weighted({18, 20, 7, 7, 9, 17, 15, 7});
    Topic t = kByChannel[channel];
    if (channel == 0) {
      static constexpr Topic kCalls[] = {
          Topic::kRebalance,    Topic::kFeeQuestion, Topic::kRetirement, Topic::kVolatility,
          Topic::kContribution, Topic::kTaxSlips,    Topic::kBeneficiary};
      t = kCalls[r.Weighted({20, 12, cl.age > 45 ? 16 : 2, 14, 16, 10, 8})];
    } else if (channel == 1) {
      t = r.Percent(55)   ? Topic::kStatement
          : r.Percent(70) ? Topic::kCommentary
                          : Topic::kReviewFollowup;
    }
    if (t == Topic::kWebDigest || t == Topic::kAppDigest) {
      // Digests are produced by the nightly batch at 06:00 UTC.
      const int64_t day = r.Between(HistoryStartDay(), last_day);
      const int logins = std::max(0, base_logins + static_cast<int>(r.Between(-3, 3)));
      add(day * kDayMs + 6 * kHourMs, t, logins);
    } else if (t == Topic::kStatement) {
      // Statements go out one to two weeks after a quarter end.
      int64_t day = QuarterEndDay(at / kDayMs) + r.Between(6, 12);
      if (day > last_day) day = QuarterEndDay(QuarterEndDay(at / kDayMs) - 1) + r.Between(6, 12);
      add(WorkTime(day, day, &r), t);
    } else {
      add(at, t);
    }
  }
  if (cohort == Cohort::kChurn) {
    // Falling engagement, a fee complaint naming a competitor, transfer questions, and for
    // households that leave, a transfer-out call (their case is in BuildCases).
    static constexpr int kDigestDays[] = {120, 90, 60, 25};
    for (int s = 0; s < 4; ++s) {
      // Sign-ins fall to about a quarter, then to almost none; extras grow with the stage.
      const int logins = (base_logins + 4) * (3 - s) / 4 + (s == 3 ? 0 : 1);
      add((anchor_day_ - kDigestDays[s]) * kDayMs + 6 * kHourMs,
          s % 2 ? Topic::kAppDigest : Topic::kWebDigest, logins, s);
    }
    add(WorkTime(anchor_day_ - 115, anchor_day_ - 100, &r), Topic::kFeeComplaint);
    add(WorkTime(anchor_day_ - 97, anchor_day_ - 92, &r), Topic::kRetentionOffer);
    add(WorkTime(anchor_day_ - 85, anchor_day_ - 70, &r), Topic::kFeeEmail);
    add(WorkTime(anchor_day_ - 55, anchor_day_ - 40, &r), Topic::kTransferPaperwork);
    add(WorkTime(anchor_day_ - 35, anchor_day_ - 28, &r), Topic::kRetentionNote);
    if (Leaving(cl.household)) {
      add(WorkTime(anchor_day_ - 20, anchor_day_ - 13, &r), Topic::kTransferOut);
    }
  } else if (cohort != Cohort::kSteady) {
    const int kind = static_cast<int>(cohort) - static_cast<int>(Cohort::kMortgage);
    static constexpr int kDigestDays[] = {75, 40, 12};
    for (int s = 0; s < 3; ++s) {
      add((anchor_day_ - kDigestDays[s]) * kDayMs + 6 * kHourMs,
          s == 1 ? Topic::kAppDigest : Topic::kWebDigest,
          base_logins + 2 + static_cast<int>(r.Between(0, 6)), 10 + kind);
    }
    add(WorkTime(anchor_day_ - 50, anchor_day_ - 35, &r), Topic::kIntentQuestion, 0, kind);
    add(WorkTime(anchor_day_ - 30, anchor_day_ - 15, &r), Topic::kIntentCall, 0, kind);
    add(WorkTime(anchor_day_ - 14, anchor_day_ - 5, &r), Topic::kIntentInfo, 0, kind);
  }
}

void BankGenerator::RenderDigest(bool app, const Planned& p, Rng* r) {
  body_.assign(app ? "Maple app activity, 30 days to " : "Online banking activity, 30 days to ");
  body_ += DateText(p.at);
  body_ += ": signed in " + std::to_string(p.logins) + " times";
  std::vector<std::string_view> extras;
  if (p.extra >= 10) {
    for (std::string_view e : kIntentPages[p.extra - 10]) extras.push_back(e);
  } else if (p.extra > 0) {
    body_ += " (usually about " + std::to_string(p.usual) + " a month)";
    for (int i = 0; i <= p.extra && i < 4; ++i) extras.push_back(kChurnExtras[i]);
  } else {
    extras.push_back(r->Pick(kDigestExtras));
    if (r->Percent(60)) extras.push_back(r->Pick(kDigestExtras));
    if (app && r->Percent(40)) {
      extras.push_back(*vars_.Find("chequing") == "chequing" ? "deposited a cheque by photo"
                                                             : "deposited a check by photo");
    }
  }
  for (std::string_view e : extras) {
    body_ += "; ";
    vars_.Set("n", std::to_string(r->Between(2, 6)));
    Render(&body_, e, vars_, r, "");
  }
  body_ += ".";
}

void BankGenerator::RenderBody(std::string_view tmpl, Rng* r) {
  body_.clear();
  Render(&body_, tmpl, vars_, r, "\n");
}

Status BankGenerator::EmitTopic(Topic topic, const Thread& thread, int64_t at, int64_t duration,
                                Rng* r, std::string_view subject) {
  const TopicText& text = kTopicTexts[static_cast<int>(topic)];
  return EmitActivity(thread,
                      {.channel = text.channel,
                       .direction = text.direction,
                       .at = at,
                       .subject = subject.empty() ? text.subject : subject,
                       .body = body_,
                       .topic = text.name,
                       .duration = duration},
                      vars_, r);
}

Status BankGenerator::EmitPlanned(uint32_t c, const Planned& p, const Portfolio& pf, Rng* r) {
  const TopicText& text = kTopicTexts[static_cast<int>(p.topic)];
  // Variables that only some topics' templates use, drawn before the body.
  switch (p.topic) {
    case Topic::kRebalance: {
      const int target = 35 + pf.risk * 15;
      vars_.Set("target", std::to_string(target));
      vars_.Set("drift", std::to_string(target + r->Between(4, 9)));
      break;
    }
    case Topic::kVolatility:
      vars_.Set("drop", std::to_string(r->Between(3, 7)));
      vars_.Set("down", std::to_string(r->Between(4, 12)));
      break;
    case Topic::kStatement:
      vars_.Set("quarter_end", LongDate(QuarterEndDay(p.at / kDayMs)));
      vars_.Set("ret", Decimal(r->Between(-450, 620), 2));
      break;
    case Topic::kCommentary:
      vars_.Set("month", MonthText(p.at));
      break;
    case Topic::kReminder:
      vars_.Set("date", DateText(p.at + r->Between(2, 7) * kDayMs));
      break;
    default:
      break;
  }
  if (p.topic == Topic::kWebDigest || p.topic == Topic::kAppDigest) {
    RenderDigest(p.topic == Topic::kAppDigest, p, r);
  } else if (!text.by_intent.empty()) {
    vars_.Set("intent", kIntentNames[p.extra]);
    RenderBody(text.by_intent[p.extra], r);
  } else {
    RenderBody(text.body, r);
  }
  int64_t duration = -1;
  if (text.channel == "call") duration = r->Between(180, 1500);
  if (text.channel == "meeting") duration = r->Between(45, 90) * 60;
  const std::string parent = ContactId(c);
  const std::string owner = AdvisorId(households_[clients_[c].household].advisor);
  const Thread thread{"contacts", parent, owner, "na"};
  return EmitTopic(p.topic, thread, p.at, duration, r);
}

Status BankGenerator::EmitCaseThread(size_t k) {
  const CaseSpec& cs = cases_[k];
  const CaseText& text = kCaseTexts[cs.kind];
  Rng r = R("bank/case_activity", k);
  SetClientVars(cs.client, PortfolioOf(clients_[cs.client].household));
  const std::string id = CaseId(k);
  const std::string agent = "csr-" + std::to_string(100 + k % 7);
  const Thread thread{"cases", id, agent, "na"};
  RenderBody(text.contact, &r);
  RETURN_IF_ERROR(
      EmitTopic(Topic::kCaseContact, thread, cs.opened, r.Between(240, 900), &r, text.subject));
  const int64_t limit = anchor_ - kHourMs;
  if (cs.status >= 4) {
    const int64_t at = std::min(cs.opened + r.Between(1, 10) * kDayMs, limit);
    RenderBody(text.resolution, &r);
    return EmitTopic(Topic::kCaseUpdate, thread, at, -1, &r);
  }
  const int64_t at = std::min(cs.opened + r.Between(2, 30) * kHourMs, limit);
  body_.assign(cs.status == 3 ? "Escalated to the operations team lead; client to be updated "
                                "within two business days."
                              : "Investigation in progress; waiting on operations.");
  return EmitTopic(Topic::kCaseNote, thread, at, -1, &r);
}

Status BankGenerator::EmitOppThread(size_t k) {
  const OppSpec& o = opps_[k];
  const Household& hh = households_[o.household];
  Rng r = R("bank/opp_activity", k);
  SetClientVars(hh.first_member, PortfolioOf(o.household));
  const std::string id = OppId(k);
  const std::string owner = AdvisorId(hh.advisor);
  const Thread thread{"opportunities", id, owner, "na"};
  vars_.Set("opp", kOppTexts[o.kind].name);
  RenderBody(kTopicTexts[static_cast<int>(Topic::kOppMeeting)].body, &r);
  RETURN_IF_ERROR(EmitTopic(Topic::kOppMeeting, thread, o.created, r.Between(30, 60) * 60, &r));
  if (o.stage < 2) return Status::Ok();
  const int64_t at = std::min(o.created + r.Between(5, 15) * kDayMs, anchor_ - kHourMs);
  RenderBody(kTopicTexts[static_cast<int>(Topic::kOppProposal)].body, &r);
  return EmitTopic(Topic::kOppProposal, thread, at, -1, &r);
}

Status BankGenerator::EmitActivities() {
  std::vector<Planned> plan;
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    const Portfolio pf = PortfolioOf(clients_[c].household);
    SetClientVars(c, pf);
    plan.clear();
    PlanClient(c, &plan);
    // Stable: equal times keep their planning order, so the output is the same everywhere.
    std::stable_sort(plan.begin(), plan.end(),
                     [](const Planned& a, const Planned& b) { return a.at < b.at; });
    Rng r = R("bank/activity", c);
    for (const Planned& p : plan) RETURN_IF_ERROR(EmitPlanned(c, p, pf, &r));
  }
  for (size_t k = 0; k < cases_.size(); ++k) RETURN_IF_ERROR(EmitCaseThread(k));
  for (size_t k = 0; k < opps_.size(); ++k) RETURN_IF_ERROR(EmitOppThread(k));
  return Status::Ok();
}

}  // namespace crmi::crm::demo_internal::bank
