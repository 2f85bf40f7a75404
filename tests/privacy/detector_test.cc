// The PII detector: our own marked-up cases (tests/cases/pii_detection.txt), Presidio's recognizer
// cases and python-stdnum's IBANs from ../shared/data/pii with precision and recall per entity,
// planted values in random text (all found, spans exact), and the interface's edges.
#include "src/privacy/detector.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "src/privacy/validators.h"
#include "tests/test_util.h"

namespace crmi::privacy {
namespace {

struct Span {
  std::string type;
  size_t start, end;
  bool operator<(const Span& o) const {
    return std::tie(start, end, type) < std::tie(o.start, o.end, o.type);
  }
  bool operator==(const Span& o) const {
    return start == o.start && end == o.end && type == o.type;
  }
};

void PrintTo(const Span& s, std::ostream* os) {
  *os << s.type << "[" << s.start << "," << s.end << ")";
}

std::string Show(const std::string& text, const std::vector<Span>& spans) {
  std::string s;
  for (const Span& sp : spans) {
    s += " " + sp.type + "[" + std::to_string(sp.start) + "," + std::to_string(sp.end) + ")='" +
         text.substr(sp.start, sp.end - sp.start) + "'";
  }
  return s.empty() ? " (none)" : s;
}

std::vector<Span> Scan(const Detector& d, const std::string& text, const NameDictionary* names,
                       std::vector<Finding>* raw = nullptr) {
  std::vector<Finding> findings;
  EXPECT_TRUE(d.Scan(text, names, &findings).ok());
  std::vector<Span> spans;
  for (const Finding& f : findings) {
    spans.push_back({std::string(PiiTypeName(f.type)), f.start, f.end});
  }
  if (raw != nullptr) *raw = findings;
  return spans;
}

std::shared_ptr<const NameDictionary> Contacts() {
  return NameDictionary::Build({{"Anna", "Kowalski"},
                                {"José", "Müller"},
                                {"Will", "Turner"},
                                {"Priya", "Raman"},
                                {"Jean-Luc", "O'Brien"}});
}

TEST(DetectorTest, MarkedUpCases) {
  auto detector = Detector::Create();
  ASSERT_TRUE(detector.ok());
  auto names = Contacts();
  std::ifstream in(test::SourceDir() + "/tests/cases/pii_detection.txt");
  ASSERT_TRUE(in) << "tests/cases/pii_detection.txt";
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    // Strip the marks, remembering where each value lands.
    std::string text;
    std::vector<Span> expected;
    for (size_t i = 0; i < line.size();) {
      if (line.compare(i, 2, "[[") == 0) {
        const size_t colon = line.find(':', i);
        const size_t close = line.find("]]", colon);
        ASSERT_NE(close, std::string::npos) << line;
        const std::string type = line.substr(i + 2, colon - i - 2);
        ASSERT_TRUE(PiiTypeFromName(type).has_value()) << type;
        const std::string value = line.substr(colon + 1, close - colon - 1);
        expected.push_back({type, text.size(), text.size() + value.size()});
        text += value;
        i = close + 2;
      } else {
        text += line[i++];
      }
    }
    const std::vector<Span> got = Scan(**detector, text, names.get());
    EXPECT_EQ(got, expected) << text << "\n  expected:" << Show(text, expected)
                             << "\n  got:     " << Show(text, got);
    ++cases;
  }
  EXPECT_GE(cases, 40);
}

TEST(DetectorTest, FindingsCarryConfidenceAndValidation) {
  auto detector = Detector::Create();
  ASSERT_TRUE(detector.ok());
  std::vector<Finding> f;
  Scan(**detector, "card 4111 1111 1111 1111, mail a@example.com", nullptr, &f);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].type, PiiType::kCard);
  EXPECT_TRUE(f[0].validated);
  EXPECT_FLOAT_EQ(f[0].confidence, 1.0f);  // a Visa number after "card"
  EXPECT_EQ(f[1].type, PiiType::kEmail);
  EXPECT_FALSE(f[1].validated);
  // Context raises a bare number's confidence as an SSN.
  Scan(**detector, "ref 536904399", nullptr, &f);
  ASSERT_EQ(f.size(), 1u);
  const float bare = f[0].confidence;
  Scan(**detector, "SSN 536904399", nullptr, &f);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_GT(f[0].confidence, bare);
}

TEST(DetectorTest, AccountPatternsAreConfigured) {
  EXPECT_EQ(Detector::Create({{{"bad", "LN-[0-9"}}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Detector::Create({{{"empty", "[0-9]*"}}}).status().code(),
            StatusCode::kInvalidArgument);
  auto detector = Detector::Create({{{"loan", "LN-[0-9]{8}", 0.9f}, {"member", "M[0-9]{6}"}}});
  ASSERT_TRUE(detector.ok()) << detector.status().message();
  const std::string text = "Loan LN-00123456 for member M123456; LN-123 is short; 4111111111111111";
  const auto got = Scan(**detector, text, nullptr);
  const std::vector<Span> want = {
      {"ACCOUNT_NUMBER", 5, 16}, {"ACCOUNT_NUMBER", 28, 35}, {"CARD", 54, 70}};
  EXPECT_EQ(got, want) << Show(text, got);
}

TEST(DetectorTest, NamesComeFromTheDictionaryAndStayCurrent) {
  auto detector = Detector::Create();
  ASSERT_TRUE(detector.ok());
  const std::string text = "Zofia Nowak called today.";
  EXPECT_TRUE(Scan(**detector, text, nullptr).empty());
  auto names = NameDictionary::Build({{"Zofia", "Nowak"}});
  const std::vector<Span> want = {{"PERSON", 0, 11}};
  EXPECT_EQ(Scan(**detector, text, names.get()), want);
  EXPECT_GT(names->size(), NameDictionary::Builtin()->size());
}

// Presidio's entity names → ours. URL has no counterpart (not personal data by itself).
std::optional<PiiType> FromPresidio(const std::string& entity) {
  static const std::map<std::string, PiiType> kMap = {
      {"CREDIT_CARD", PiiType::kCard},   {"IBAN_CODE", PiiType::kIban},
      {"US_SSN", PiiType::kUsSsn},       {"IP_ADDRESS", PiiType::kIp},
      {"PHONE_NUMBER", PiiType::kPhone}, {"CRYPTO", PiiType::kCrypto},
      {"EMAIL_ADDRESS", PiiType::kEmail}};
  auto it = kMap.find(entity);
  if (it == kMap.end()) return std::nullopt;
  return it->second;
}

TEST(DetectorTest, PresidioRecognizerCasesWithPrecisionAndRecall) {
  const std::string path = test::SharedDataDir() + "/pii/presidio_recognizer_cases.jsonl";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no " << path << " (set CRMI_SHARED_DATA)";
  auto detector = Detector::Create();
  ASSERT_TRUE(detector.ok());
  // Cases where Presidio's own file disagrees with itself or with the standard, checked here the
  // other way: valid RFC 4291 addresses an older Presidio regex missed (the same file expects
  // 2400:c401::5054:ff:fe1b:b031 found in a newer test).
  const std::set<std::string> kKnownDisagreements = {"2345:0425:2CA1:0000:0000:0567:5673:23b5",
                                                     "2345:0425:2CA1::0567:5673:23b5",
                                                     "2400:c401::5054:ff:fe1b:b031"};
  struct Counts {
    int cases = 0, passed = 0, tp = 0, fp = 0, fn = 0;
  };
  std::map<std::string, Counts> by_entity;
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    ASSERT_FALSE(doc.HasParseError());
    const std::string entity = doc["entity"].GetString();
    const auto type = FromPresidio(entity);
    if (!type) continue;
    const rapidjson::Value& extra = doc["extra"];
    // Phone cases at other leniencies than Presidio's default (1) expect other answers.
    if (extra.HasMember("leniency") && extra["leniency"].GetInt() != 1) continue;
    const std::string text = doc["text"].GetString();
    std::set<std::pair<size_t, size_t>> expected, got;
    for (const auto& sp : doc["expected_spans"].GetArray()) {
      expected.insert({sp[0].GetUint(), sp[1].GetUint()});
    }
    std::vector<Finding> findings;
    ASSERT_TRUE((*detector)->Scan(text, nullptr, &findings).ok());
    for (const Finding& f : findings) {
      if (f.type == *type) got.insert({f.start, f.end});
    }
    if (doc["test"].GetString() == std::string("test_when_all_ips_then_succeed") &&
        kKnownDisagreements.count(text) != 0) {
      EXPECT_EQ(got.size(), 1u) << text;
      continue;
    }
    Counts& c = by_entity[entity];
    ++c.cases;
    for (const auto& sp : got) (expected.count(sp) ? c.tp : c.fp) += 1;
    for (const auto& sp : expected) c.fn += got.count(sp) ? 0 : 1;
    if (got == expected) {
      ++c.passed;
    } else {
      std::string g;
      for (auto [s, e] : got) g += " [" + std::to_string(s) + "," + std::to_string(e) + ")";
      ADD_FAILURE() << entity << ": " << text << " got" << (g.empty() ? " none" : g);
    }
  }
  std::printf("%-14s %6s %6s %9s %7s\n", "entity", "cases", "passed", "precision", "recall");
  for (const auto& [entity, c] : by_entity) {
    const double precision = c.tp + c.fp == 0 ? 1.0 : double(c.tp) / (c.tp + c.fp);
    const double recall = c.tp + c.fn == 0 ? 1.0 : double(c.tp) / (c.tp + c.fn);
    std::printf("%-14s %6d %6d %9.3f %7.3f\n", entity.c_str(), c.cases, c.passed, precision,
                recall);
  }
  EXPECT_EQ(by_entity.size(), 7u);
}

TEST(DetectorTest, StdnumIbansInSentences) {
  const std::string path = test::SharedDataDir() + "/pii/stdnum_iban_cases.csv";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no " << path << " (set CRMI_SHARED_DATA)";
  auto detector = Detector::Create();
  ASSERT_TRUE(detector.ok());
  std::string line;
  std::getline(in, line);  // header
  int valid = 0, invalid = 0;
  while (std::getline(in, line)) {
    // iban,expected_valid,section
    const size_t comma = line.find(',');
    ASSERT_NE(comma, std::string::npos);
    const std::string iban = line.substr(0, comma);
    const bool is_valid = line.compare(comma + 1, 5, "True,") == 0;
    const std::string text = "Please transfer to " + iban + " by Friday.";
    std::vector<Finding> findings;
    ASSERT_TRUE((*detector)->Scan(text, nullptr, &findings).ok());
    bool found = false;
    for (const Finding& f : findings) {
      found |= f.type == PiiType::kIban && f.start == 19 && f.end == 19 + iban.size();
    }
    // Lower-case letters in the BBAN are refused in free text, as Presidio's own cases require
    // ("LV80 bANK ..."); python-stdnum's validator upper-cases first.
    const bool lower =
        std::any_of(iban.begin(), iban.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    EXPECT_EQ(found, is_valid && !lower) << iban;
    (is_valid ? valid : invalid) += 1;
  }
  EXPECT_GT(valid, 50);
  EXPECT_GT(invalid, 10);
}

// --- Planted values in random text ---

std::string LuhnComplete(std::string body) {  // appends the check digit
  int sum = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    int d = body[body.size() - 1 - i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + char('0' + (10 - sum % 10) % 10);
}

std::string GermanIban(const std::string& bban) {  // 18 digits
  // Check digits: 98 - (BBAN + "DE00" as digits) mod 97; D=13, E=14.
  const std::string digits = bban + "131400";
  int r = 0;
  for (char c : digits) r = (r * 10 + (c - '0')) % 97;
  const int check = 98 - r;
  return "DE" + std::string(1, char('0' + check / 10)) + char('0' + check % 10) + bban;
}

TEST(DetectorTest, PlantedValuesAreAllFoundWithExactSpans) {
  auto detector = Detector::Create();
  ASSERT_TRUE(detector.ok());
  auto names = NameDictionary::Build({{"Marta", "Lindqvist"}, {"Kofi", "Mensah"}});
  std::mt19937 rng(20261124);
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += char('0' + rng() % 10);
    return s;
  };
  const std::vector<std::string> filler = {
      "the",  "order", "was",   "late", "please",  "refund", "my", "parcel", "and", "thanks",
      "help", "with",  "a",     "new",  "plan",    "is",     "it", "ok",     "to",  "call",
      "back", "today", "about", "—",    "ünïcödé", "ça",     "va", "naïve",  "so",  "again"};
  int planted = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text;
    std::vector<Span> expected;
    const int values = 1 + static_cast<int>(rng() % 4);
    for (int v = 0; v < values; ++v) {
      const int words = 1 + static_cast<int>(rng() % 6);
      for (int w = 0; w < words; ++w) text += filler[rng() % filler.size()] + " ";
      std::string type, value;
      switch (rng() % 9) {
        case 0:
          type = "CARD";
          value = LuhnComplete("4" + digits(14));
          if (rng() % 2)
            value = value.substr(0, 4) + " " + value.substr(4, 4) + " " + value.substr(8, 4) + " " +
                    value.substr(12);
          break;
        case 1:
          type = "EMAIL";
          value = "user" + digits(3) + "@example" + digits(1) + ".com";
          break;
        case 2:
          type = "IBAN";
          value = GermanIban(digits(18));
          break;
        case 3: {
          type = "US_SSN";
          const int area = 1 + static_cast<int>(rng() % 665);
          char buf[16];
          std::snprintf(buf, sizeof buf, "%03d-%02d-%04d", area, 10 + static_cast<int>(rng() % 89),
                        1000 + static_cast<int>(rng() % 8999));
          value = buf;
          break;
        }
        case 4:
          type = "PHONE";
          value = "(" + std::to_string(200 + rng() % 800) + ") " +
                  std::to_string(200 + rng() % 800) + "-" + digits(4);
          break;
        case 5:
          type = "IP";
          value = std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
                  std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
          break;
        case 6:
          type = "PERSON";
          value = rng() % 2 ? "Marta Lindqvist" : "Kofi Mensah";
          break;
        case 7:
          type = "UK_NINO";
          value = "JG" + digits(6) + "A";
          break;
        default:
          type = "PHONE";
          value = "+44 20 " + digits(4) + " " + digits(4);
          break;
      }
      expected.push_back({type, text.size(), text.size() + value.size()});
      text += value;
      text += rng() % 3 ? " " : ", ";
      ++planted;
    }
    text += "end";
    const auto got = Scan(**detector, text, names.get());
    ASSERT_EQ(got, expected) << text << "\n  expected:" << Show(text, expected)
                             << "\n  got:     " << Show(text, got);
  }
  EXPECT_GT(planted, 600);
}

TEST(DetectorTest, SpansNeverSplitUtf8AndBadInputIsHarmless) {
  auto detector = Detector::Create();
  ASSERT_TRUE(detector.ok());
  auto names = Contacts();
  std::mt19937 rng(7);
  // Whole characters only: the input is valid UTF-8, so a span that splits one is the detector's.
  const std::vector<std::string> units = {"a",
                                          "Z",
                                          "Anna",
                                          "0",
                                          "7",
                                          "@",
                                          ":",
                                          ".",
                                          "-",
                                          "+",
                                          "(",
                                          ")",
                                          " ",
                                          "\n",
                                          ",",
                                          "/",
                                          "\xC3\xA9",
                                          "\xC3\x89",
                                          "\xE2\x82\xAC",
                                          "\xF0\x9F\x98\x80",
                                          "Kowalski"};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      text += rng() % 3 ? units[rng() % units.size()] : std::string(1, char('0' + rng() % 10));
    }
    std::vector<Finding> findings;
    ASSERT_TRUE((*detector)->Scan(text, names.get(), &findings).ok());
    uint32_t last = 0;
    for (const Finding& f : findings) {
      ASSERT_LE(last, f.start);
      ASSERT_LT(f.start, f.end);
      ASSERT_LE(f.end, text.size());
      // Neither end lands on a UTF-8 continuation byte.
      EXPECT_NE(static_cast<uint8_t>(text[f.start]) & 0xC0, 0x80);
      if (f.end < text.size()) {
        EXPECT_NE(static_cast<uint8_t>(text[f.end]) & 0xC0, 0x80);
      }
      last = f.end;
    }
  }
}

}  // namespace
}  // namespace crmi::privacy
