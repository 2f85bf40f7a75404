#include "src/common/json_parse.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cstring>

#include "src/common/json_text.h"

namespace crmi {
namespace {

constexpr size_t kMaxNumberChars = 100;
constexpr size_t kMaxInputBytes = 64 << 20;
// No kParseValidateEncodingFlag: ParseJson validates UTF-8 itself, faster.
constexpr unsigned kReaderFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

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
    if (n > kMaxNumberChars) {
      too_long_ = true;
      return false;
    }
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
  bool too_long() const { return too_long_; }

 private:
  rapidjson::Document& doc_;
  bool out_of_range_ = false;
  bool too_long_ = false;
};

}  // namespace

JsonParseResult ParseJson(std::string_view json, rapidjson::Document* doc) {
  JsonParseResult result;
  if (json.size() > kMaxInputBytes) {
    result.error = "larger than " + std::to_string(kMaxInputBytes) + " bytes";
    return result;
  }
  if (std::memchr(json.data(), '\0', json.size()) != nullptr) {
    result.error = "contains a NUL byte";
    return result;
  }
  if (!IsValidUtf8(json)) {
    result.error = "not valid UTF-8";
    return result;
  }
  // RapidJSON's StringStream (cheaper per character than its generic memory stream) needs a
  // NUL-terminated text: a per-thread copy whose capacity is reused from call to call. The NUL
  // check above makes the terminator the true end of the input.
  thread_local std::string text;
  text.assign(json.data(), json.size());
  rapidjson::StringStream in(text.c_str());
  // One reader per thread: its parse stack is reused instead of allocated per call.
  thread_local rapidjson::Reader reader;
  rapidjson::ParseResult parsed;
  bool out_of_range = false;
  bool too_long = false;
  auto generate = [&](rapidjson::Document& handler) {
    ExactNumbers exact(handler);
    parsed = reader.Parse<kReaderFlags>(in, exact);
    out_of_range = exact.out_of_range();
    too_long = exact.too_long();
    return !parsed.IsError();
  };
  doc->Populate(generate);
  if (!parsed.IsError()) {
    result.ok = true;
    return result;
  }
  if (too_long) {
    result.error = "a number is longer than " + std::to_string(kMaxNumberChars) +
                   " characters (at byte " + std::to_string(parsed.Offset()) + ")";
  } else if (out_of_range) {
    result.error = "a number is out of the range of a double (at byte " +
                   std::to_string(parsed.Offset()) + ")";
  } else {
    result.error = std::string(rapidjson::GetParseError_En(parsed.Code())) + " (at byte " +
                   std::to_string(parsed.Offset()) + ")";
  }
  return result;
}

const rapidjson::Value* JsonAtPath(const rapidjson::Value& obj, std::string_view path) {
  const rapidjson::Value* cur = &obj;
  while (!path.empty()) {
    if (!cur->IsObject()) return nullptr;
    const size_t dot = path.find('.');
    const std::string_view name = path.substr(0, dot);
    // A Value key: a bare StringRef would decay to const char* and be read up to its NUL.
    auto it = cur->FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
    if (it == cur->MemberEnd()) return nullptr;
    cur = &it->value;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

std::string JsonStringAt(const rapidjson::Value& obj, std::string_view path) {
  const rapidjson::Value* v = JsonAtPath(obj, path);
  if (v == nullptr || !v->IsString()) return "";
  return {v->GetString(), v->GetStringLength()};
}

}  // namespace crmi
