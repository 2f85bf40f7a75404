// Validators against hand-picked cases and the public case files in ../shared/data/pii
// (python-stdnum's IBAN cases; Presidio's credit card and US SSN recognizer cases, span by span).
#include "src/privacy/validators.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace crmi::privacy {
namespace {

TEST(ValidatorsTest, LuhnAndCardBrands) {
  EXPECT_TRUE(LuhnValid("4012888888881881"));
  EXPECT_FALSE(LuhnValid("4012888888881882"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("40128888x8881881"));
  EXPECT_TRUE(CardNumberValid("4012 8888 8888 1881"));
  EXPECT_TRUE(CardNumberValid("4012-8888-8888-1881"));
  EXPECT_FALSE(CardNumberValid("4012--8888-8888-1881"));  // doubled separator
  EXPECT_FALSE(CardNumberValid("-4012888888881881"));
  EXPECT_FALSE(CardNumberValid("4012.8888.8888.1881"));
  EXPECT_FALSE(CardNumberValid("42"));
  EXPECT_FALSE(CardNumberValid("1748503543012"));           // Luhn-valid, but a timestamp in ms
  EXPECT_FALSE(CardNumberValid("4242424242424242424242"));  // 22 digits
  EXPECT_EQ(CardBrandOf("4111111111111111"), CardBrand::kVisa);
  EXPECT_EQ(CardBrandOf("5500000000000004"), CardBrand::kMastercard);
  EXPECT_EQ(CardBrandOf("2221000000000009"), CardBrand::kMastercard);
  EXPECT_EQ(CardBrandOf("378282246310005"), CardBrand::kAmex);
  EXPECT_EQ(CardBrandOf("6011111111111117"), CardBrand::kDiscover);
  EXPECT_EQ(CardBrandOf("3530111333300000"), CardBrand::kJcb);
  EXPECT_EQ(CardBrandOf("30569309025904"), CardBrand::kDiners);
  EXPECT_EQ(CardBrandOf("6200000000000005"), CardBrand::kUnionPay);
  EXPECT_EQ(CardBrandOf("122000000000003"), CardBrand::kUnknown);  // UATP: valid, no brand
  EXPECT_TRUE(CardNumberValid("122000000000003"));
  EXPECT_EQ(CardBrandName(CardBrand::kAmex), "amex");
}

TEST(ValidatorsTest, IbanAgainstPythonStdnumCases) {
  const std::string path = test::SharedDataDir() + "/pii/stdnum_iban_cases.csv";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no " << path << " (set CRMI_SHARED_DATA to the shared data directory)";
  std::string line;
  std::getline(in, line);  // header
  int cases = 0;
  while (std::getline(in, line)) {
    const size_t a = line.find(',');
    const size_t b = line.find(',', a + 1);
    ASSERT_NE(b, std::string::npos) << line;
    const std::string iban = line.substr(0, a);
    const bool want = line.substr(a + 1, b - a - 1) == "True";
    EXPECT_EQ(IbanValid(iban), want) << iban << " (" << line.substr(b + 1) << ")";
    ++cases;
  }
  EXPECT_EQ(cases, 215);
  EXPECT_EQ(IbanLength("DE"), 22);
  EXPECT_EQ(IbanLength("QQ"), 0);
  EXPECT_TRUE(IbanValid("gb82 west 1234 5698 7654 32"));  // case and spacing do not matter
  EXPECT_FALSE(IbanValid("GB82WEST1234569876543"));       // one character short
  EXPECT_TRUE(IbanValid("GB82-WEST-1234-5698-7654-32"));
  EXPECT_FALSE(IbanValid("GB82_WEST12345698765432"));
}

// Presidio's cases for one entity: each expected span's text must validate, and a case that
// expects nothing must not validate as a whole when it is a bare candidate.
struct PresidioCase {
  std::string text;
  std::vector<std::pair<size_t, size_t>> spans;  // characters (ASCII here: bytes)
};
std::vector<PresidioCase> PresidioCases(const std::string& entity) {
  std::ifstream in(test::SharedDataDir() + "/pii/presidio_recognizer_cases.jsonl");
  std::vector<PresidioCase> out;
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    if (d.HasParseError() || !d.IsObject() || d["entity"].GetString() != entity) continue;
    PresidioCase c;
    c.text = d["text"].GetString();
    for (const auto& s : d["expected_spans"].GetArray()) {
      c.spans.emplace_back(s[0].GetUint64(), s[1].GetUint64());
    }
    out.push_back(std::move(c));
  }
  return out;
}

TEST(ValidatorsTest, CardsAndSsnsAgainstPresidioCases) {
  const std::string path = test::SharedDataDir() + "/pii/presidio_recognizer_cases.jsonl";
  if (!std::ifstream(path)) {
    GTEST_SKIP() << "no " << path << " (set CRMI_SHARED_DATA to the shared data directory)";
  }
  auto cards = PresidioCases("CREDIT_CARD");
  ASSERT_EQ(cards.size(), 19u);
  for (const auto& c : cards) {
    for (const auto& [start, end] : c.spans) {
      EXPECT_TRUE(CardNumberValid(c.text.substr(start, end - start))) << c.text;
    }
    if (c.spans.empty() && DigitsOf(c.text)) {
      EXPECT_FALSE(CardNumberValid(c.text)) << c.text;
    }
  }
  auto ssns = PresidioCases("US_SSN");
  ASSERT_EQ(ssns.size(), 13u);
  for (const auto& c : ssns) {
    for (const auto& [start, end] : c.spans) {
      EXPECT_TRUE(UsSsnValid(c.text.substr(start, end - start))) << c.text;
    }
    if (c.spans.empty()) {
      EXPECT_FALSE(UsSsnValid(c.text)) << c.text;
    }
  }
}

TEST(ValidatorsTest, UkNino) {
  EXPECT_TRUE(UkNinoValid("AB123456C"));
  EXPECT_TRUE(UkNinoValid("ab 12 34 56 c"));
  EXPECT_FALSE(UkNinoValid("AB123456E"));  // suffix A-D only
  EXPECT_FALSE(UkNinoValid("DA123456A"));  // D never first
  EXPECT_FALSE(UkNinoValid("AO123456A"));  // O never second
  EXPECT_FALSE(UkNinoValid("GB123456A"));  // an excluded prefix
  EXPECT_FALSE(UkNinoValid("AB12345C"));
  EXPECT_FALSE(UkNinoValid("AB1234567"));
}

TEST(ValidatorsTest, UsSsnRules) {
  EXPECT_TRUE(UsSsnValid("536-90-4399"));
  EXPECT_FALSE(UsSsnValid("900-12-3456"));  // 9xx areas are never issued
  EXPECT_FALSE(UsSsnValid("123-45-6789"));  // a published example
  EXPECT_FALSE(UsSsnValid("555555555"));    // one digit repeated
  EXPECT_FALSE(UsSsnValid("536-90-439"));
  EXPECT_FALSE(UsSsnValid("536x90x4399"));
}

}  // namespace
}  // namespace crmi::privacy
