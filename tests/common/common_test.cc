#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "src/common/base64.h"
#include "src/common/ids.h"
#include "src/common/json_text.h"
#include "src/common/status.h"
#include "src/common/time_format.h"

namespace crmi {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Status Chain(int x, int* out) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(*out, Half(h));
  return Status::Ok();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("contact con_1");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: contact con_1");
  EXPECT_EQ(s.WithContext("line 3").message(), "line 3: contact con_1");
}

TEST(StatusTest, MacrosPropagate) {
  int out = 0;
  EXPECT_TRUE(Chain(8, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(Chain(6, &out).code(), StatusCode::kInvalidArgument);
  Result<int> r = Half(3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
}

TEST(TimeFormatTest, FormatsUtcMillis) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1793491200123), "2026-11-01T00:00:00.123Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
}

TEST(TimeFormatTest, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("2026-11-01T00:00:00Z").value(), 1793491200000);
  EXPECT_EQ(ParseRfc3339("2026-11-01T02:00:00.5+02:00").value(), 1793491200500);
  EXPECT_EQ(ParseRfc3339("2026-10-31T19:00:00.123456789-05:00").value(), 1793491200123);
  EXPECT_EQ(ParseRfc3339("2024-02-29T12:00:00z").ok(), true);
}

TEST(TimeFormatTest, RejectsInvalid) {
  for (const char* bad :
       {"", "2026-11-01", "2026-11-01T00:00:00", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-11-01T24:00:00Z", "2026-11-01T00:60:00Z", "2026-11-01T00:00:60Z",
        "2026-11-01 00:00:00Z", "2026-11-01T00:00:00.Z", "2026-11-01T00:00:00+2:00",
        "2026-11-01T00:00:00Zjunk", "2026-13-01T00:00:00Z", "x026-11-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(TimeFormatTest, Dates) {
  EXPECT_TRUE(IsValidDate("2024-02-29"));
  EXPECT_FALSE(IsValidDate("2023-02-29"));
  EXPECT_FALSE(IsValidDate("2023-04-31"));
  EXPECT_FALSE(IsValidDate("2023-4-3"));
  EXPECT_FALSE(IsValidDate("2023-04-30T"));
  EXPECT_TRUE(IsValidDate("1900-12-31"));
}

TEST(TimeFormatTest, CivilFromDaysInvertsDaysFromCivil) {
  const CivilDate leap_day = CivilFromDays(DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(leap_day.year, 2024);
  EXPECT_EQ(leap_day.month, 2u);
  EXPECT_EQ(leap_day.day, 29u);
  EXPECT_EQ(CivilFromDays(-1).year, 1969);  // the day before the epoch
  for (int64_t days = -800'000; days <= 800'000; days += 97) {
    const CivilDate c = CivilFromDays(days);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), days);
  }
}

TEST(IdsTest, UlidsAreSortableAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = NewUlid(1793491200000);
    ASSERT_EQ(id.size(), 26u);
    EXPECT_TRUE(seen.insert(id).second);
  }
  EXPECT_LT(NewUlid(1000), NewUlid(2000));
  EXPECT_EQ(NewRecordId("con", 1).substr(0, 4), "con_");
  EXPECT_TRUE(IsValidRecordId(NewRecordId("con", 1)));
}

TEST(IdsTest, Validation) {
  EXPECT_TRUE(IsValidRecordId("con_123"));
  EXPECT_TRUE(IsValidRecordId("a.b:c-d_e"));
  EXPECT_FALSE(IsValidRecordId(""));
  EXPECT_FALSE(IsValidRecordId("."));
  EXPECT_FALSE(IsValidRecordId(".."));
  EXPECT_FALSE(IsValidRecordId("a/b"));
  EXPECT_FALSE(IsValidRecordId("a b"));
  EXPECT_FALSE(IsValidRecordId(std::string(65, 'a')));
  EXPECT_TRUE(IsValidRequestId("0b8e2d0c-4f0e-4c1e-9a9a-1a2b3c4d5e6f"));
  EXPECT_FALSE(IsValidRequestId("bad id"));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_TRUE(IsValidTenant("maple-bank"));
  EXPECT_FALSE(IsValidTenant("Maple"));
  EXPECT_FALSE(IsValidTenant("-x"));
  EXPECT_FALSE(IsValidTenant(""));
}

TEST(Base64Test, RoundTripsAndRejects) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", "1.12345",
                                                       std::string("\0\xff\x10", 3)}) {
    auto enc = Base64UrlEncode(s);
    EXPECT_EQ(enc.find('='), std::string::npos);
    auto dec = Base64UrlDecode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, s);
  }
  EXPECT_FALSE(Base64UrlDecode("a").has_value());
  EXPECT_FALSE(Base64UrlDecode("ab==").has_value());
  EXPECT_FALSE(Base64UrlDecode("a+b/").has_value());
  EXPECT_FALSE(Base64UrlDecode("YR").has_value());  // non-zero trailing bits
}

TEST(JsonTextTest, EscapesAndRepairs) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\n\x01\x7f");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
  out.clear();
  AppendJsonString(&out, "caf\xc3\xa9 \xff!");
  EXPECT_EQ(out, "\"caf\xc3\xa9 \xef\xbf\xbd!\"");
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  JsonObject o;
  o.Add("s", "x").Add("i", 3).Add("b", true).Add("d", 1.5).AddNull("n").AddRaw("r", "[1]");
  EXPECT_EQ(o.Finish(), R"({"s":"x","i":3,"b":true,"d":1.5,"n":null,"r":[1]})");
}

}  // namespace
}  // namespace crmi
