#include "src/crm/json_parse.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>

namespace crmi::crm {
namespace {

constexpr size_t kMaxNumberChars = 100;
constexpr size_t kMaxExponentDigits = 3;
constexpr unsigned kReaderFlags = rapidjson::kParseValidateEncodingFlag |
                                  rapidjson::kParseIterativeFlag |
                                  rapidjson::kParseNumbersAsStringsFlag;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// SAX handler that forwards to a Document's own handler, converting raw number tokens exactly.
class ExactNumbers {
 public:
  explicit ExactNumbers(rapidjson::Document& doc) : doc_(doc) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool StartObject() { return doc_.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool EndObject(rapidjson::SizeType n) { return doc_.EndObject(n); }
  bool StartArray() { return doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return doc_.EndArray(n); }

  bool RawNumber(const char* s, rapidjson::SizeType n, bool /*copy*/) {
    const char* end = s + n;
    const bool integral = std::string_view(s, n).find_first_of(".eE") == std::string_view::npos;
    if (integral) {
      int64_t i = 0;
      auto [p, ec] = std::from_chars(s, end, i);
      if (ec == std::errc() && p == end) return doc_.Int64(i);
      uint64_t u = 0;
      auto [pu, ecu] = std::from_chars(s, end, u);
      if (ecu == std::errc() && pu == end) return doc_.Uint64(u);
    }
    double d = 0;
    auto [p, ec] = std::from_chars(s, end, d);
    if (ec != std::errc() || p != end) {
      out_of_range_ = true;
      return false;
    }
    return doc_.Double(d);
  }

  bool out_of_range() const { return out_of_range_; }

 private:
  rapidjson::Document& doc_;
  bool out_of_range_ = false;
};

}  // namespace

bool JsonNumbersWithinLimits(std::string_view s) {
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character (\" must not end the string)
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && !IsDigit(c)) continue;
    // A number token: [-] digits [. digits] [e|E [+|-] digits]. Anything malformed is left to
    // the parser; this only measures.
    const size_t start = i;
    while (i < s.size() && (IsDigit(s[i]) || s[i] == '-' || s[i] == '.')) ++i;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      while (i < s.size() && s[i] == '0') ++i;
      size_t exp_digits = 0;
      while (i < s.size() && IsDigit(s[i])) {
        ++i;
        ++exp_digits;
      }
      if (exp_digits > kMaxExponentDigits) return false;
    }
    if (i - start > kMaxNumberChars) return false;
    --i;  // the loop's ++i moves to the character after the token
  }
  return true;
}

JsonParseResult ParseJson(std::string_view json, rapidjson::Document* doc) {
  JsonParseResult result;
  if (!JsonNumbersWithinLimits(json)) {
    result.error = "a number is longer than 100 characters or has an exponent above 999";
    return result;
  }
  rapidjson::MemoryStream ms(json.data(), json.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  rapidjson::Reader reader;
  rapidjson::ParseResult parsed;
  bool out_of_range = false;
  auto generate = [&](rapidjson::Document& handler) {
    ExactNumbers exact(handler);
    parsed = reader.Parse<kReaderFlags>(in, exact);
    out_of_range = exact.out_of_range();
    return !parsed.IsError();
  };
  doc->Populate(generate);
  if (!parsed.IsError()) {
    result.ok = true;
    return result;
  }
  if (out_of_range) {
    result.error = "a number is out of the range of a double (at byte " +
                   std::to_string(parsed.Offset()) + ")";
  } else {
    result.error = std::string(rapidjson::GetParseError_En(parsed.Code())) + " (at byte " +
                   std::to_string(parsed.Offset()) + ")";
  }
  return result;
}

}  // namespace crmi::crm
