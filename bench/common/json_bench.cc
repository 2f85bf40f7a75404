// Which JSON library for crmi's hot paths? The path that parses JSON at volume is record intake
// (create and import): parse a record body, check its fields, write it back out canonically.
// Reads never parse: stored documents are spliced into responses as text.
//
// Compared on the same contact and activity records: RapidJSON (DOM + Writer), simdjson (DOM
// parse + minify), nlohmann (parse + dump), and crmi's full PrepareRecord (RapidJSON plus schema
// validation) for scale. Run: build/release/bench/json_bench
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <string>

#include "src/crm/record.h"

namespace {

const std::string kContact =
    R"({"id":"con_b000123","owner_id":"adv-017","region":"na","first_name":"Margaret",)"
    R"("last_name":"Okafor","email":"margaret.okafor@example.com","phone":"+1 416 555 0199",)"
    R"("account_id":"acc_b000045","title":"Retired teacher","preferred_channel":"phone",)"
    R"("consent":{"marketing":true,"profiling":false},"segment":"mass-affluent",)"
    R"("date_of_birth":"1958-04-12","mailing_address":{"street":"12 Elm St","city":"Toronto",)"
    R"("state":"ON","postal_code":"M4C 1A1","country":"CA"},"locale":"en-CA",)"
    R"("custom":{"aum":412000.5,"risk_profile":"balanced","products":["RRSP","TFSA"]}})";

const std::string kActivity =
    R"({"id":"act_b0001234","owner_id":"adv-017","region":"na","parent_type":"contacts",)"
    R"("parent_id":"con_b000123","channel":"call","direction":"inbound",)"
    R"("occurred_at":"2026-09-14T15:32:10Z","subject":"Fee question",)"
    R"("body":"Advisor: Good afternoon Margaret, how can I help?\nClient: I noticed the )"
    R"(management fee on my statement went up again. A friend moved to a robo-advisor and pays )"
    R"(a quarter of what I do.\nAdvisor: I understand. Let me walk you through the fee schedule )"
    R"(and what is included in your plan.\nClient: Please do, otherwise I am thinking about )"
    R"(transferring my RRSP.","duration_seconds":412})";

void RapidJsonRoundTrip(benchmark::State& state, const std::string& in) {
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(in.data(), in.size());
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    d.Accept(w);
    benchmark::DoNotOptimize(buf.GetSize());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void SimdjsonRoundTrip(benchmark::State& state, const std::string& in) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(in);
  for (auto _ : state) {
    simdjson::dom::element e;
    if (parser.parse(padded).get(e)) state.SkipWithError("parse");
    std::string out = simdjson::minify(e);
    benchmark::DoNotOptimize(out.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void NlohmannRoundTrip(benchmark::State& state, const std::string& in) {
  for (auto _ : state) {
    auto j = nlohmann::json::parse(in);
    std::string out = j.dump();
    benchmark::DoNotOptimize(out.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void CrmiPrepareRecord(benchmark::State& state, const std::string& in, const char* collection) {
  const auto& c = *crmi::crm::Schema::Default().Find(collection);
  for (auto _ : state) {
    auto r = crmi::crm::PrepareRecord(c, in, "maple-bank");
    if (!r.ok()) state.SkipWithError("invalid");
    benchmark::DoNotOptimize(r->doc.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

BENCHMARK_CAPTURE(RapidJsonRoundTrip, contact, kContact);
BENCHMARK_CAPTURE(SimdjsonRoundTrip, contact, kContact);
BENCHMARK_CAPTURE(NlohmannRoundTrip, contact, kContact);
BENCHMARK_CAPTURE(CrmiPrepareRecord, contact, kContact, "contacts");
BENCHMARK_CAPTURE(RapidJsonRoundTrip, activity, kActivity);
BENCHMARK_CAPTURE(SimdjsonRoundTrip, activity, kActivity);
BENCHMARK_CAPTURE(NlohmannRoundTrip, activity, kActivity);
BENCHMARK_CAPTURE(CrmiPrepareRecord, activity, kActivity, "activities");

}  // namespace

BENCHMARK_MAIN();
