// Small, dependency-free helpers for emitting JSON text: string escaping and a flat object
// builder. Used where pulling in a JSON library would be overkill (log lines, problem+json).
// Record bodies use RapidJSON in the crm layer instead.
//
// Output is always valid JSON: invalid UTF-8 in inputs is replaced by U+FFFD, control characters
// are escaped. Pure functions; JsonObject is a value type, not thread-safe.
#ifndef CRMI_COMMON_JSON_TEXT_H_
#define CRMI_COMMON_JSON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crmi {

// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string* out, std::string_view s);

// Appends `v` as a JSON array of strings; JsonStringArray returns it.
void AppendJsonStringArray(std::string* out, const std::vector<std::string>& v);
std::string JsonStringArray(const std::vector<std::string>& v);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Builds `{"k":v,...}` incrementally.
//   JsonObject o; o.Add("status", 404).Add("title", "Not Found"); std::string s = o.Finish();
class JsonObject {
 public:
  JsonObject() : text_("{") {}
  JsonObject& Add(std::string_view key, std::string_view value);
  JsonObject& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObject& Add(std::string_view key, int64_t value);
  JsonObject& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  JsonObject& Add(std::string_view key, uint64_t value);
  // Shortest text that reads back as the same double; NaN and infinities become null.
  JsonObject& Add(std::string_view key, double value);
  JsonObject& Add(std::string_view key, bool value);
  // `json` must already be valid JSON text (an object, array, number...).
  JsonObject& AddRaw(std::string_view key, std::string_view json);
  JsonObject& AddNull(std::string_view key);

  // Closes the object and returns its text; the builder is left empty.
  std::string Finish();
  // The members added so far, without braces ("\"a\":1,\"b\":2"), for splicing into another
  // object.
  std::string_view members() const { return std::string_view(text_).substr(1); }

 private:
  void Key(std::string_view key);
  std::string text_;
  bool first_ = true;
};

}  // namespace crmi

#endif  // CRMI_COMMON_JSON_TEXT_H_
