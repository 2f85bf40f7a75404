// Decisioning: the scores react to the evidence they name; consent excludes contacts from
// scoring (consent.profiling) and from marketing actions (consent.marketing) on every path —
// scoring one or many, recommendations, creating, patching and importing actions, and the
// dispatcher's last-moment check before delivery.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>

#include "src/common/time_format.h"
#include "src/crm/consent.h"
#include "src/crm/importer.h"
#include "src/crm/record_service.h"
#include "src/signals/decisioning.h"
#include "src/signals/dispatcher.h"
#include "src/signals/scores.h"
#include "tests/stub_http_server.h"
#include "tests/test_util.h"

namespace crmi::signals {
namespace {

constexpr int64_t kDay = 86'400'000;

TEST(ScoresTest, CuesMatchWholeWordsAndPrefixes) {
  EXPECT_TRUE(HasCue("I want to CANCEL my card", ExitCues()));
  EXPECT_TRUE(HasCue("cancellation request", ExitCues()));  // "cancel*"
  EXPECT_FALSE(HasCue("the cleave of the stone", ExitCues()));
  // Everyday phrases with the same verbs are not a customer leaving.
  EXPECT_FALSE(
      HasCue("Please leave a message; can we move my appointment? transfer my call", ExitCues()));
  EXPECT_TRUE(HasCue("We are thinking of leaving for another bank", ExitCues()));
  EXPECT_TRUE(HasCue("Used the mortgage payment calculator", IntentCues()));
  EXPECT_FALSE(HasCue("", ComplaintCues()));
}

TEST(ScoresTest, EvidenceRaisesTheScoreItNamesAndOutboundIsNotEvidence) {
  const int64_t now = 1'767'225'600'000;
  ScoreInputs quiet;
  quiet.activities.push_back({now - 2 * kDay, "email", "inbound", "Thanks for the statement."});
  const ContactScores base = ComputeScores(quiet, now);
  EXPECT_EQ(base.churn.band, "low");
  EXPECT_TRUE(base.churn.reasons.empty());

  ScoreInputs leaving = quiet;
  leaving.activities.push_back(
      {now - 5 * kDay, "call", "inbound", "Client is unhappy and wants to transfer out"});
  leaving.cases.push_back({"cas_1", "escalated", "high", now - 3 * kDay, "Fee complaint"});
  const ContactScores s = ComputeScores(leaving, now);
  EXPECT_GT(s.churn.value, 0.7);
  EXPECT_EQ(s.churn.band, "high");
  std::set<std::string> named;
  for (const auto& r : s.churn.reasons) named.insert(r.feature);
  EXPECT_EQ(named, (std::set<std::string>{"exit_signals_90d", "complaint_signals_90d",
                                          "open_escalated_cases", "open_cases"}));
  for (size_t i = 1; i < s.churn.reasons.size(); ++i) {
    EXPECT_GE(s.churn.reasons[i - 1].contribution, s.churn.reasons[i].contribution);
  }

  // The same words sent by the company are not the customer's intent.
  ScoreInputs outbound = quiet;
  outbound.activities.push_back(
      {now - 5 * kDay, "email", "outbound", "Before you transfer out, a proposal on fees"});
  EXPECT_DOUBLE_EQ(ComputeScores(outbound, now).churn.value, base.churn.value);

  // Old evidence weighs less; beyond the window, nothing.
  ScoreInputs old = quiet;
  old.activities.push_back({now - 80 * kDay, "call", "inbound", "wants to transfer out"});
  ScoreInputs ancient = quiet;
  ancient.activities.push_back({now - 200 * kDay, "call", "inbound", "wants to transfer out"});
  const double recent = ComputeScores(leaving, now).churn.value;
  EXPECT_LT(ComputeScores(old, now).churn.value, recent);
  EXPECT_DOUBLE_EQ(ComputeScores(ancient, now).churn.value, base.churn.value);

  ScoreInputs buying = quiet;
  buying.activities.push_back(
      {now - 3 * kDay, "web", "", "viewed the mortgage rates page 4 times; used the calculator"});
  buying.activities.push_back({now - 1 * kDay, "web", "", "started a pre-qualification"});
  buying.opportunities.push_back({"negotiation", now - kDay});
  const ContactScores b = ComputeScores(buying, now);
  EXPECT_GT(b.intent.value, 0.6);
  EXPECT_LT(b.churn.value, 0.4);
}

class DecisioningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::TempDir("decisioning");
    store_ = test::OpenTestStore(dir_);
    records_ = std::make_unique<crm::RecordService>(store_.get(), &crm::Schema::Default(), &clock_);
    contacts_ = crm::Schema::Default().Find("contacts");
    actions_ = crm::Schema::Default().Find("actions");
  }
  void TearDown() override {
    ASSERT_TRUE(store_->Close().ok());
    std::filesystem::remove_all(dir_);
  }

  // A contact with a churn storyline; consent as given.
  std::string Contact(const std::string& id, bool marketing, bool profiling,
                      const std::string& channel = "email", const std::string& owner = "adv-1") {
    const std::string body = R"({"id":")" + id + R"(","last_name":"Doe","owner_id":")" + owner +
                             R"(","preferred_channel":")" + channel +
                             R"(","consent":{"marketing":)" + (marketing ? "true" : "false") +
                             R"(,"profiling":)" + (profiling ? "true" : "false") + "}}";
    auto r = records_->Create(*contacts_, "t", body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    const std::string when = FormatRfc3339Millis(clock_.NowUnixMillis() - 4 * kDay);
    auto a = records_->Create(
        *crm::Schema::Default().Find("activities"), "t",
        R"({"parent_type":"contacts","parent_id":")" + id +
            R"(","channel":"call","direction":"inbound","occurred_at":")" + when +
            R"(","body":"Unhappy with the fees, asked how to transfer out to a competitor"})");
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    auto k = records_->Create(*crm::Schema::Default().Find("cases"), "t",
                              R"({"subject":"Fee complaint","status":"escalated",)"
                              R"("priority":"high","contact_id":")" +
                                  id + R"("})");
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return id;
  }

  Result<store::StoredRecord> Action(const std::string& contact, const std::string& purpose,
                                     const std::string& extra = "") {
    // Offers are marketing by nature; a service action here is a call.
    const std::string kind = purpose == "marketing" ? "offer" : "call";
    return records_->Create(*actions_, "t",
                            R"({"contact_id":")" + contact + R"(","kind":")" + kind +
                                R"(","purpose":")" + purpose + "\"" + extra + "}");
  }

  FakeClock clock_{1'767'225'600'000};
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<crm::RecordService> records_;
  const crm::Collection* contacts_ = nullptr;
  const crm::Collection* actions_ = nullptr;
};

TEST_F(DecisioningTest, ProfilingConsentGatesScoring) {
  Contact("con_yes", true, true);
  Contact("con_no", true, false);
  Decisioning d(store_.get(), &clock_);
  auto yes = d.Score("t", "con_yes", crm::Access::Unrestricted());
  ASSERT_TRUE(yes.ok()) << yes.status().ToString();
  EXPECT_EQ(yes->churn.band, "high");

  auto no = d.Score("t", "con_no", crm::Access::Unrestricted());
  ASSERT_FALSE(no.ok());
  EXPECT_TRUE(crm::IsConsentRefusal(no.status())) << no.status().ToString();
  EXPECT_NE(no.status().message().find("consent.profiling"), std::string::npos);

  auto batch = d.ScoreMany("t", {"con_yes", "con_no", "con_missing", "con_yes"},
                           crm::Access::Unrestricted());
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->scored.size(), 1u);
  EXPECT_EQ(batch->scored[0].contact_id, "con_yes");
  EXPECT_EQ(batch->excluded, std::vector<std::string>{"con_no"});
  EXPECT_EQ(batch->not_found, std::vector<std::string>{"con_missing"});

  // Withdrawing consent takes effect at once: nothing is kept to serve stale scores from.
  ASSERT_TRUE(
      records_
          ->Patch(*contacts_, "t", "con_yes", R"({"consent":{"profiling":false}})", std::nullopt)
          .ok());
  EXPECT_TRUE(crm::IsConsentRefusal(d.Score("t", "con_yes", crm::Access::Unrestricted()).status()));

  // Rows the caller may not see do not exist for them, whatever the consent.
  crm::Access own;
  store::FieldFilter f;
  f.field = "owner_id";
  f.values.emplace_back(std::string("adv-2"));
  own.rows.push_back(f);
  EXPECT_EQ(d.Score("t", "con_yes", own).status().code(), StatusCode::kNotFound);
  own.max_rows = 2;
  EXPECT_EQ(d.ScoreMany("t", {"a", "b", "c"}, own).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DecisioningTest, RecommendationsLeaveOutWhatConsentExcludes) {
  Contact("con_all", true, true);
  Contact("con_nomkt", false, true);
  Contact("con_noprof", true, false);
  Contact("con_nochan", true, true, "none");
  Decisioning d(store_.get(), &clock_);
  auto count = [](const Recommendations& r, const std::string& purpose) {
    int n = 0;
    for (const auto& a : r.actions) n += a.purpose == purpose;
    return n;
  };
  auto all = d.Recommend("t", "con_all", crm::Access::Unrestricted());
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->scored);
  EXPECT_GE(count(*all, "marketing"), 1);
  EXPECT_GE(count(*all, "service"), 1);  // the escalated case
  EXPECT_TRUE(all->excluded.empty());

  auto nomkt = d.Recommend("t", "con_nomkt", crm::Access::Unrestricted());
  ASSERT_TRUE(nomkt.ok());
  EXPECT_EQ(count(*nomkt, "marketing"), 0);
  EXPECT_GE(count(*nomkt, "service"), 1);
  ASSERT_EQ(nomkt->excluded.size(), 1u);
  EXPECT_EQ(nomkt->excluded[0].why, "consent.marketing");

  auto noprof = d.Recommend("t", "con_noprof", crm::Access::Unrestricted());
  ASSERT_TRUE(noprof.ok());
  EXPECT_FALSE(noprof->scored);
  EXPECT_EQ(count(*noprof, "marketing"), 0);
  ASSERT_EQ(noprof->actions.size(), 1u);  // only the escalated case's call, no profile needed
  EXPECT_EQ(noprof->actions[0].kind, "call");
  ASSERT_EQ(noprof->excluded.size(), 1u);
  EXPECT_EQ(noprof->excluded[0].why, "consent.profiling");
  EXPECT_NE(RecommendationsJson("con_noprof", *noprof).find("\"scores\":null"), std::string::npos);

  auto nochan = d.Recommend("t", "con_nochan", crm::Access::Unrestricted());
  ASSERT_TRUE(nochan.ok());
  EXPECT_EQ(count(*nochan, "marketing"), 0);
  EXPECT_EQ(nochan->excluded[0].why, "preferred_channel");
}

TEST_F(DecisioningTest, MarketingActionsNeedConsentOnEveryWritePath) {
  Contact("con_yes", true, true);
  Contact("con_no", false, true);
  // Create.
  EXPECT_TRUE(Action("con_yes", "marketing").ok());
  auto refused = Action("con_no", "marketing");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(crm::IsConsentRefusal(refused.status())) << refused.status().ToString();
  EXPECT_TRUE(Action("con_no", "service").ok());  // service needs no marketing consent
  EXPECT_TRUE(Action("con_no", "marketing", R"(,"status":"cancelled")").ok());  // inactive
  EXPECT_EQ(Action("con_ghost", "marketing").status().code(), StatusCode::kInvalidArgument);
  // An offer is marketing whatever it is labelled.
  EXPECT_EQ(
      records_
          ->Create(*actions_, "t", R"({"contact_id":"con_no","kind":"offer","purpose":"service"})")
          .status()
          .code(),
      StatusCode::kInvalidArgument);

  // Patch: re-activating or retargeting is checked like a create.
  auto cancelled = Action("con_no", "marketing", R"(,"status":"cancelled")");
  ASSERT_TRUE(cancelled.ok());
  EXPECT_TRUE(crm::IsConsentRefusal(
      records_->Patch(*actions_, "t", cancelled->id, R"({"status":"queued"})", std::nullopt)
          .status()));
  auto service = Action("con_no", "service");
  ASSERT_TRUE(service.ok());
  EXPECT_TRUE(crm::IsConsentRefusal(
      records_->Patch(*actions_, "t", service->id, R"({"purpose":"marketing"})", std::nullopt)
          .status()));
  auto queued = Action("con_yes", "marketing");
  ASSERT_TRUE(queued.ok());
  EXPECT_TRUE(crm::IsConsentRefusal(
      records_->Patch(*actions_, "t", queued->id, R"({"contact_id":"con_no"})", std::nullopt)
          .status()));

  // Withdrawal: a queued action can no longer be touched except to stand it down.
  ASSERT_TRUE(
      records_
          ->Patch(*contacts_, "t", "con_yes", R"({"consent":{"marketing":false}})", std::nullopt)
          .ok());
  EXPECT_TRUE(crm::IsConsentRefusal(
      records_->Patch(*actions_, "t", queued->id, R"({"message":"hi"})", std::nullopt).status()));
  EXPECT_TRUE(
      records_->Patch(*actions_, "t", queued->id, R"({"status":"cancelled"})", std::nullopt).ok());

  // Import: refused lines are reported, the others land.
  crm::Importer importer(records_.get(), *actions_, "t", crm::ImportFormat::kNdjson,
                         crm::ImportOptions{}, crm::Access::Unrestricted());
  ASSERT_TRUE(
      importer
          .Feed(R"({"id":"nba_i1","contact_id":"con_no","kind":"offer","purpose":"marketing"})"
                "\n"
                R"({"id":"nba_i2","contact_id":"con_no","kind":"call","purpose":"service"})"
                "\n")
          .ok());
  ASSERT_TRUE(importer.Finish().ok());
  EXPECT_EQ(importer.report().created, 1);
  EXPECT_EQ(importer.report().failed, 1);
  EXPECT_NE(importer.report().ToJson().find("consent required"), std::string::npos)
      << importer.report().ToJson();
  EXPECT_EQ(records_->Get(*actions_, "t", "nba_i1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(records_->Get(*actions_, "t", "nba_i2").ok());
}

TEST_F(DecisioningTest, DispatcherDeliversThroughTheContactsChannelAndChecksConsentLast) {
  std::mutex mu;
  std::vector<test::StubRequest> received;
  int fail_next = 0;
  test::StubHttpServer hook([&](const test::StubRequest& r) {
    std::lock_guard lock(mu);
    received.push_back(r);
    test::StubResponse resp;
    if (fail_next > 0) {
      --fail_next;
      resp.status = 503;
    }
    resp.body = "{}";
    return resp;
  });
  Contact("con_sms", true, true, "sms");
  Contact("con_none", true, true, "none");
  Contact("con_gone", true, true);
  auto sms = Action("con_sms", "marketing", R"(,"message":"A lower fee, just for you")");
  // "none" means no marketing through any channel, even one the action names.
  auto none = Action("con_none", "marketing", R"(,"channel":"email")");
  auto gone = Action("con_gone", "marketing");
  ASSERT_TRUE(sms.ok() && none.ok() && gone.ok());
  // A service task has no channel of its own and needs none.
  auto service = records_->Create(*actions_, "t",
                                  R"({"contact_id":"con_none","kind":"task","purpose":"service"})");
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  // Consent withdrawn after the action was queued: it must never leave.
  ASSERT_TRUE(
      records_
          ->Patch(*contacts_, "t", "con_gone", R"({"consent":{"marketing":false}})", std::nullopt)
          .ok());

  DispatcherOptions o;
  o.webhook_url = hook.url() + "/hook";
  o.webhook_token = "s3cret";
  o.max_attempts = 2;
  o.retry_base_ms = 0;
  std::vector<ActionEvent> events;
  ActionDispatcher dispatcher(records_.get(), o, &clock_, nullptr,
                              [&](const ActionEvent& e) { events.push_back(e); });
  auto counts = dispatcher.RunOnce();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->sent, 2);        // con_sms (marketing), the service task
  EXPECT_EQ(counts->suppressed, 2);  // no channel; consent withdrawn
  EXPECT_EQ(events.size(), 4u);

  auto doc = [&](const std::string& id) {
    auto r = records_->Get(*actions_, "t", id);
    return r.ok() ? r->doc : r.status().ToString();
  };
  EXPECT_NE(doc(sms->id).find(R"("status":"sent")"), std::string::npos) << doc(sms->id);
  EXPECT_NE(doc(sms->id).find(R"("channel":"sms")"), std::string::npos);
  EXPECT_NE(doc(none->id).find(R"("status":"suppressed")"), std::string::npos);
  EXPECT_NE(doc(gone->id).find(R"("status":"suppressed")"), std::string::npos);
  EXPECT_NE(doc(gone->id).find("consent.marketing withdrawn"), std::string::npos);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(received.size(), 2u);
    for (const auto& r : received) {
      EXPECT_EQ(r.target, "/hook");
      EXPECT_EQ(r.headers.at("authorization"), "Bearer s3cret");
      EXPECT_EQ(r.headers.at("idempotency-key").rfind("t/nba_", 0), 0u);
      EXPECT_EQ(r.body.find("con_gone"), std::string::npos);
      EXPECT_EQ(r.body.find("Doe"), std::string::npos);  // the person only by id
    }
    EXPECT_NE(received[0].body.find(R"("channel":"sms")"), std::string::npos);
  }

  // A failing webhook: retried, then failed after max_attempts.
  auto retry = Action("con_sms", "marketing");
  ASSERT_TRUE(retry.ok());
  {
    std::lock_guard lock(mu);
    fail_next = 5;
  }
  counts = dispatcher.RunOnce();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->retried, 1);
  EXPECT_NE(doc(retry->id).find(R"("status":"queued")"), std::string::npos) << doc(retry->id);
  EXPECT_NE(doc(retry->id).find(R"("attempts":1)"), std::string::npos);
  counts = dispatcher.RunOnce();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->failed, 1);
  EXPECT_NE(doc(retry->id).find(R"("status":"failed")"), std::string::npos) << doc(retry->id);

  // A crash mid-delivery leaves "sending": recovery queues it again (at least once).
  auto stuck = Action("con_sms", "marketing", R"(,"status":"sending")");
  ASSERT_TRUE(stuck.ok());
  ASSERT_TRUE(dispatcher.Recover().ok());
  EXPECT_NE(doc(stuck->id).find(R"("status":"queued")"), std::string::npos);
}

TEST_F(DecisioningTest, AWithdrawalDuringAFailedAttemptStandsTheActionDown) {
  Contact("con_w", true, true);
  auto action = Action("con_w", "marketing");
  ASSERT_TRUE(action.ok());
  // The contact withdraws while the webhook is being called, and the call fails: the requeue
  // must not put a marketing action back in line for someone who said no.
  test::StubHttpServer hook([&](const test::StubRequest&) {
    EXPECT_TRUE(
        records_
            ->Patch(*contacts_, "t", "con_w", R"({"consent":{"marketing":false}})", std::nullopt)
            .ok());
    test::StubResponse resp;
    resp.status = 503;
    return resp;
  });
  DispatcherOptions o;
  o.webhook_url = hook.url();
  std::vector<ActionEvent> events;
  ActionDispatcher dispatcher(records_.get(), o, &clock_, nullptr,
                              [&](const ActionEvent& e) { events.push_back(e); });
  auto pass = dispatcher.RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->suppressed, 1);
  EXPECT_EQ(pass->retried, 0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].result, "suppressed");
  auto r = records_->Get(*actions_, "t", action->id);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->doc.find(R"("status":"suppressed")"), std::string::npos) << r->doc;

  // The same after a crash mid-delivery: recovery stands it down instead of requeueing it.
  ASSERT_TRUE(
      records_->Patch(*contacts_, "t", "con_w", R"({"consent":{"marketing":true}})", std::nullopt)
          .ok());
  auto stuck = Action("con_w", "marketing", R"(,"status":"sending")");
  ASSERT_TRUE(stuck.ok());
  ASSERT_TRUE(
      records_->Patch(*contacts_, "t", "con_w", R"({"consent":{"marketing":false}})", std::nullopt)
          .ok());
  ASSERT_TRUE(dispatcher.Recover().ok());
  r = records_->Get(*actions_, "t", stuck->id);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->doc.find(R"("status":"suppressed")"), std::string::npos) << r->doc;
  EXPECT_EQ(events.size(), 2u);
}

TEST_F(DecisioningTest, ADeliveryIsRecordedEvenIfTheActionChangedDuringIt) {
  Contact("con_c", true, true);
  auto action = Action("con_c", "marketing");
  ASSERT_TRUE(action.ok());
  test::StubHttpServer hook([&](const test::StubRequest&) {
    // Cancelled by a user while the webhook already has it.
    EXPECT_TRUE(
        records_->Patch(*actions_, "t", action->id, R"({"status":"cancelled"})", std::nullopt)
            .ok());
    return test::StubResponse{};
  });
  DispatcherOptions o;
  o.webhook_url = hook.url();
  ActionDispatcher dispatcher(records_.get(), o, &clock_, nullptr, nullptr);
  auto pass = dispatcher.RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->sent, 1);
  auto r = records_->Get(*actions_, "t", action->id);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->doc.find(R"("status":"sent")"), std::string::npos) << r->doc;
}

TEST_F(DecisioningTest, AnActionBackingOffDoesNotHoldUpTheOthers) {
  Contact("con_a", true, true);
  auto first = Action("con_a", "service");
  auto second = Action("con_a", "service");
  ASSERT_TRUE(first.ok() && second.ok());
  test::StubHttpServer hook([&](const test::StubRequest& r) {
    test::StubResponse resp;
    resp.status = r.body.find(first->id) != std::string::npos ? 500 : 200;
    return resp;
  });
  DispatcherOptions o;
  o.webhook_url = hook.url();
  o.batch = 1;
  o.retry_base_ms = 60'000;
  ActionDispatcher dispatcher(records_.get(), o, &clock_, nullptr, nullptr);
  auto pass = dispatcher.RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->retried, 1);  // the first, now waiting out its back-off
  pass = dispatcher.RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->sent, 1);  // the second went past it
  EXPECT_EQ(pass->retried, 0);
  auto r = records_->Get(*actions_, "t", second->id);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->doc.find(R"("status":"sent")"), std::string::npos) << r->doc;
}

}  // namespace
}  // namespace crmi::signals
