#include "src/privacy/anonymizer.h"

#include <algorithm>

namespace crmi::privacy {
namespace {

constexpr size_t kMaxPlaceholder = 32;             // "<ACCOUNT_NUMBER_123456>" is 23
constexpr std::string_view kDot = "\xE2\x80\xA2";  // •

bool Upper(char c) { return (c >= 'A' && c <= 'Z') || c == '_'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }

// How `s` (starting with '<') relates to the placeholder syntax <[A-Z_]+_[1-9][0-9]*>.
enum class Shape { kNo, kPrefix, kComplete };
Shape ShapeOf(std::string_view s, size_t* length) {
  size_t i = 1;
  while (i < s.size() && Upper(s[i])) ++i;
  if (i == s.size()) return s.size() < kMaxPlaceholder ? Shape::kPrefix : Shape::kNo;
  if (!Digit(s[i]) || i < 3 || s[i - 1] != '_' || s[i] == '0') return Shape::kNo;
  while (i < s.size() && Digit(s[i])) ++i;
  if (i == s.size()) return s.size() < kMaxPlaceholder ? Shape::kPrefix : Shape::kNo;
  if (s[i] != '>' || i + 1 > kMaxPlaceholder) return Shape::kNo;
  *length = i + 1;
  return Shape::kComplete;
}

std::string Normalised(PiiType type, std::string_view v) {
  std::string out;
  switch (type) {
    case PiiType::kCard:
    case PiiType::kPhone:
      for (char c : v) {
        if (Digit(c)) out += c;
      }
      return out;
    case PiiType::kIban:
      for (char c : v) {
        if (c != ' ' && c != '-' && c != '.') out += (c >= 'a' && c <= 'z') ? char(c - 32) : c;
      }
      return out;
    case PiiType::kEmail:
    case PiiType::kPerson:
      for (char c : v) out += (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
      return out;
    default:
      return std::string(v);
  }
}

// Digits but the last `keep` become dots; everything else stays.
std::string DotDigits(std::string_view v, size_t keep) {
  size_t digits = 0;
  for (char c : v) digits += Digit(c) ? 1 : 0;
  std::string out;
  size_t seen = 0;
  for (char c : v) {
    if (Digit(c) && seen++ < digits - std::min(keep, digits)) {
      out += kDot;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Anonymizer::Anonymizer(const Detector* detector, const NameDictionary* names, float min_confidence)
    : detector_(detector), names_(names), min_confidence_(min_confidence) {}

std::string Anonymizer::Mask(PiiType type, std::string_view v) {
  switch (type) {
    case PiiType::kCard:
      return DotDigits(v, 4);
    case PiiType::kPhone:
      return DotDigits(v, 2);
    case PiiType::kUsSsn:
      return DotDigits(v, 4);
    case PiiType::kEmail: {
      const size_t at = v.find('@');
      if (at == std::string_view::npos || at == 0) break;
      return std::string(v.substr(0, 1)) + std::string(kDot) + std::string(kDot) +
             std::string(kDot) + std::string(v.substr(at));
    }
    case PiiType::kIban:
      if (v.size() < 8) break;
      return std::string(v.substr(0, 2)) + std::string(kDot) + std::string(kDot) +
             std::string(kDot) + std::string(v.substr(v.size() - 4));
    case PiiType::kPerson: {
      // Initials: "Anna Kowalski" → "A. K."
      std::string out;
      bool start = true;
      for (size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        if (c == ' ' || c == '-') {
          start = true;
          continue;
        }
        if (start) {
          if (!out.empty()) out += ' ';
          out += c;
          // A multi-byte initial (É) is copied whole.
          while (i + 1 < v.size() && (static_cast<unsigned char>(v[i + 1]) & 0xC0) == 0x80) {
            out += v[++i];
          }
          out += '.';
          start = false;
        }
      }
      return out;
    }
    default:
      break;
  }
  return "[" + std::string(PiiTypeName(type)) + "]";
}

Result<std::string> Anonymizer::Anonymize(std::string_view text) {
  std::vector<Finding> findings;
  RETURN_IF_ERROR(detector_->Scan(text, names_, &findings));
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (const Finding& f : findings) {
    if (f.confidence < min_confidence_) continue;
    const std::string_view value = text.substr(f.start, f.end - f.start);
    std::string key = std::string(PiiTypeName(f.type)) + '\0' + Normalised(f.type, value);
    auto it = by_value_.find(key);
    if (it == by_value_.end()) {
      const int n = ++next_[static_cast<int>(f.type)];
      std::string placeholder =
          "<" + std::string(PiiTypeName(f.type)) + "_" + std::to_string(n) + ">";
      originals_[placeholder] = Original{std::string(value), Mask(f.type, value)};
      it = by_value_.emplace(std::move(key), std::move(placeholder)).first;
    } else if (originals_.find(it->second)->second.value != value) {
      ++respelled_;
    }
    out.append(text.substr(at, f.start - at));
    out += it->second;
    at = f.end;
  }
  out.append(text.substr(at));
  return out;
}

const std::string* Anonymizer::Lookup(std::string_view placeholder, bool reveal) const {
  auto it = originals_.find(placeholder);
  if (it == originals_.end()) return nullptr;
  return reveal ? &it->second.value : &it->second.masked;
}

std::string Anonymizer::Restore(std::string_view text, bool reveal) const {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t lt = text.find('<', i);
    if (lt == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, lt - i));
    size_t length = 0;
    if (ShapeOf(text.substr(lt), &length) == Shape::kComplete) {
      if (const std::string* r = Lookup(text.substr(lt, length), reveal)) {
        out += *r;
        i = lt + length;
        continue;
      }
    }
    out += '<';
    i = lt + 1;
  }
  return out;
}

std::string StreamRestorer::Push(std::string_view chunk) {
  pending_.append(chunk);
  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    const size_t lt = pending_.find('<', i);
    if (lt == std::string::npos) {
      out.append(pending_, i, std::string::npos);
      i = pending_.size();
      break;
    }
    out.append(pending_, i, lt - i);
    size_t length = 0;
    const Shape shape = ShapeOf(std::string_view(pending_).substr(lt), &length);
    if (shape == Shape::kPrefix) {
      // Maybe a placeholder whose end is in a later chunk: hold it back.
      pending_.erase(0, lt);
      return out;
    }
    if (shape == Shape::kComplete) {
      if (const std::string* r =
              anonymizer_->Lookup(std::string_view(pending_).substr(lt, length), reveal_)) {
        out += *r;
        i = lt + length;
        continue;
      }
    }
    out += '<';
    i = lt + 1;
  }
  pending_.clear();
  return out;
}

std::string StreamRestorer::Finish() {
  std::string out = anonymizer_->Restore(pending_, reveal_);
  pending_.clear();
  return out;
}

}  // namespace crmi::privacy
