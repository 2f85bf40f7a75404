// Anonymisation round trips: consistent placeholders across a request's texts, originals only for
// those who may see them, masks otherwise, streamed output split anywhere, and refusal when the
// detector fails; and redaction for embeddings endpoints.
#include "src/privacy/anonymizer.h"

#include <gtest/gtest.h>

#include <random>

#include "src/privacy/redaction.h"

namespace crmi::privacy {
namespace {

class AnonymizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    detector_ = std::move(Detector::Create()).value();
    names_ = NameDictionary::Build({{"Anna", "Kowalski"}, {"Émile", "Zola"}});
  }
  std::unique_ptr<Detector> detector_;
  std::shared_ptr<const NameDictionary> names_;
};

TEST_F(AnonymizerTest, SameValueSamePlaceholderAcrossTheRequest) {
  Anonymizer a(detector_.get(), names_.get());
  const std::string question = "Why was Anna Kowalski's card 4111 1111 1111 1111 declined?";
  const std::string context =
      "Case 17: anna kowalski (anna.k@example.com) reported card 4111-1111-1111-1111 declined; "
      "Émile Zola, +44 20 7946 0958, had the same issue.";
  auto q = a.Anonymize(question);
  auto c = a.Anonymize(context);
  ASSERT_TRUE(q.ok() && c.ok());
  EXPECT_EQ(*q, "Why was <PERSON_1>'s card <CARD_1> declined?");
  // "anna kowalski" in lower case is not a detected name (names are matched where capitalised).
  EXPECT_EQ(*c,
            "Case 17: anna kowalski (<EMAIL_1>) reported card <CARD_1> declined; <PERSON_2>, "
            "<PHONE_1>, had the same issue.");
  EXPECT_EQ(a.size(), 5u);       // two people, a card, an e-mail address, a phone number
  EXPECT_EQ(a.respelled(), 1u);  // the card, written with dashes the second time
  // Originals for whom may see them; the first writing of each value.
  const std::string answer = "<PERSON_1> and <PERSON_2> both used <CARD_1>; write to <EMAIL_1>.";
  EXPECT_EQ(a.Restore(answer, true),
            "Anna Kowalski and Émile Zola both used 4111 1111 1111 1111; write to "
            "anna.k@example.com.");
  // Masks for everyone else: nothing of the values but their kind and a hint.
  const std::string masked = a.Restore(answer, false);
  EXPECT_EQ(masked, "A. K. and É. Z. both used •••• •••• •••• 1111; write to a•••@example.com.");
  // Placeholders the request never issued stay as they are.
  EXPECT_EQ(a.Restore("<PERSON_9> and <CARD_1>", true), "<PERSON_9> and 4111 1111 1111 1111");
}

TEST_F(AnonymizerTest, RoundTripRestoresTheTextExactly) {
  Anonymizer a(detector_.get(), names_.get());
  const std::string text =
      "Dear Mr. Hargreaves, your IBAN GB29 NWBK 6016 1331 9268 19 and SSN 536-90-4399 were "
      "updated from 10.0.0.7; call +1 415 555 0132 or write to h@example.org. Born on 12 March "
      "1980, living at 221B Baker Street, London NW1 6XE. Wallet "
      "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ.";
  auto anon = a.Anonymize(text);
  ASSERT_TRUE(anon.ok());
  for (const char* original : {"Hargreaves", "GB29", "536-90", "10.0.0.7", "415 555", "h@example",
                               "March", "Baker", "16Yeky"}) {
    EXPECT_EQ(anon->find(original), std::string::npos) << original << " in " << *anon;
  }
  EXPECT_EQ(a.Restore(*anon, true), text);
  const std::string masked = a.Restore(*anon, false);
  for (const char* original : {"Hargreaves", "NWBK", "536-90", "10.0.0.7", "415 555", "h@example",
                               "March", "Baker", "16Yeky"}) {
    EXPECT_EQ(masked.find(original), std::string::npos) << original << " in " << masked;
  }
  EXPECT_NE(masked.find("[DATE_OF_BIRTH]"), std::string::npos) << masked;
}

TEST_F(AnonymizerTest, StreamedOutputSplitAnywhereIsRestoredAndNeverLeaksPartially) {
  Anonymizer a(detector_.get(), names_.get());
  ASSERT_TRUE(a.Anonymize("Anna Kowalski paid with 4111 1111 1111 1111 from a@example.com").ok());
  const std::string output =
      "Sure <PERSON_1>, the payment with <CARD_1> is fine < 3 <PERSON_> <EMAIL_1><CARD_1>"
      "<NOT_A_1> end <";
  for (bool reveal : {true, false}) {
    const std::string whole = a.Restore(output, reveal);
    // Every single split point, then random multi-splits.
    std::mt19937 rng(5);
    for (int round = 0; round < 400; ++round) {
      std::vector<size_t> cuts;
      if (round < static_cast<int>(output.size())) {
        cuts = {static_cast<size_t>(round)};
      } else {
        for (int k = 0; k < 6; ++k) cuts.push_back(rng() % output.size());
        std::sort(cuts.begin(), cuts.end());
      }
      StreamRestorer s(&a, reveal);
      std::vector<std::string> emitted;
      size_t prev = 0;
      for (size_t cut : cuts) {
        emitted.push_back(s.Push(std::string_view(output).substr(prev, cut - prev)));
        prev = cut;
      }
      emitted.push_back(s.Push(std::string_view(output).substr(prev)));
      emitted.push_back(s.Finish());
      std::string joined;
      std::vector<size_t> bounds;  // where each emitted piece ends in `joined`
      for (const auto& e : emitted) {
        joined += e;
        bounds.push_back(joined.size());
      }
      ASSERT_EQ(joined, whole) << "round " << round;
      // Each inserted value lies inside one emitted piece: none is ever sent in parts.
      for (const std::string v : {"Anna Kowalski", "4111 1111 1111 1111", "a@example.com", "A. K.",
                                  "•••• •••• •••• 1111", "a•••@example.com"}) {
        for (size_t at = joined.find(v); at != std::string::npos; at = joined.find(v, at + 1)) {
          for (size_t b : bounds) {
            EXPECT_FALSE(b > at && b < at + v.size()) << v << " split at " << b;
          }
        }
      }
    }
  }
}

TEST_F(AnonymizerTest, FailsClosedWhenTheDetectorFails) {
  Anonymizer a(detector_.get(), names_.get());
  // A text too long to scan (offsets are 32-bit): the detector refuses before reading it.
  static const char kByte = 'x';
  const std::string_view huge(&kByte, size_t{1} << 32);
  auto r = a.Anonymize(huge);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(a.size(), 0u);
}

// Text for an embeddings endpoint: every value replaced by its type, nothing kept to restore.
TEST_F(AnonymizerTest, RedactReplacesEveryValueByItsType) {
  std::string text =
      "Anna Kowalski (anna.k@example.com, +44 20 7946 0958) paid with 4111 1111 1111 1111 from "
      "192.168.1.20; Émile Zola too.";
  auto n = Redact(*detector_, names_.get(), &text);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 6u);
  EXPECT_EQ(text, "<PERSON> (<EMAIL>, <PHONE>) paid with <CARD> from <IP>; <PERSON> too.");
  std::string clean = "How do refunds work for annual plans?";
  n = Redact(*detector_, names_.get(), &clean);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(clean, "How do refunds work for annual plans?");
}

TEST(MaskTest, ShowsTheKindAndAHintOnly) {
  EXPECT_EQ(Anonymizer::Mask(PiiType::kCard, "4111-1111-1111-1111"), "••••-••••-••••-1111");
  EXPECT_EQ(Anonymizer::Mask(PiiType::kPhone, "+44 20 7946 0958"), "+•• •• •••• ••58");
  EXPECT_EQ(Anonymizer::Mask(PiiType::kUsSsn, "536-90-4399"), "•••-••-4399");
  EXPECT_EQ(Anonymizer::Mask(PiiType::kEmail, "zoe@example.com"), "z•••@example.com");
  EXPECT_EQ(Anonymizer::Mask(PiiType::kIban, "DE89370400440532013000"), "DE•••3000");
  EXPECT_EQ(Anonymizer::Mask(PiiType::kPerson, "Jean-Luc O'Brien"), "J. L. O.");
  EXPECT_EQ(Anonymizer::Mask(PiiType::kAddress, "221B Baker Street"), "[ADDRESS]");
}

}  // namespace
}  // namespace crmi::privacy
