#include "runtime/json_prefix.h"

#include <cstring>

namespace miaotui::runtime {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool JsonPrefix::Open(char c) {
  if (static_cast<int>(stack_.size()) >= kMaxDepth) return false;
  stack_.push_back(c);
  if (c == '{') {
    mode_ = Mode::kKey;
  } else {
    mode_ = Mode::kValue;
  }
  allow_close_ = true;
  return true;
}

bool JsonPrefix::StartValue(char c) {
  if (c == '{' || c == '[') return Open(c);
  if (c == '"') {
    mode_ = Mode::kString;
    is_key_ = false;
    escape_ = 0;
    return true;
  }
  if (c == '-' || IsDigit(c)) {
    mode_ = Mode::kNumber;
    num_ = c == '-' ? Num::kMinus : (c == '0' ? Num::kZero : Num::kInt);
    return true;
  }
  static const char* const kLiterals[] = {"true", "false", "null"};
  for (const char* lit : kLiterals) {
    if (c == lit[0]) {
      mode_ = Mode::kLiteral;
      literal_ = lit + 1;
      return true;
    }
  }
  return false;
}

bool JsonPrefix::CloseValue() {
  mode_ = stack_.empty() ? Mode::kDone : Mode::kAfterValue;
  return true;
}

bool JsonPrefix::NumberCanEnd() const {
  return num_ == Num::kZero || num_ == Num::kInt || num_ == Num::kFrac || num_ == Num::kExpDigits;
}

bool JsonPrefix::Push(std::string_view text) {
  for (char c : text) {
    if (!Push(c)) return false;
  }
  return true;
}

bool JsonPrefix::Push(char c) {
  switch (mode_) {
    case Mode::kStart:
      if (IsSpace(c)) return true;
      return c == '{' && Open(c);
    case Mode::kDone:
      return IsSpace(c);
    case Mode::kValue:
      if (IsSpace(c)) return true;
      if (c == ']' && allow_close_) {
        stack_.pop_back();
        return CloseValue();
      }
      return StartValue(c);
    case Mode::kKey:
      if (IsSpace(c)) return true;
      if (c == '}' && allow_close_) {
        stack_.pop_back();
        return CloseValue();
      }
      if (c != '"') return false;
      mode_ = Mode::kString;
      is_key_ = true;
      escape_ = 0;
      return true;
    case Mode::kColon:
      if (IsSpace(c)) return true;
      if (c != ':') return false;
      mode_ = Mode::kValue;
      allow_close_ = false;
      return true;
    case Mode::kAfterValue:
      if (IsSpace(c)) return true;
      if (c == ',') {
        mode_ = stack_.back() == '{' ? Mode::kKey : Mode::kValue;
        allow_close_ = false;
        return true;
      }
      if ((c == '}' && stack_.back() == '{') || (c == ']' && stack_.back() == '[')) {
        stack_.pop_back();
        return CloseValue();
      }
      return false;
    case Mode::kString: {
      const auto u = static_cast<unsigned char>(c);
      if (escape_ == 1) {
        if (c == 'u') {
          escape_ = 5;
          return true;
        }
        escape_ = 0;
        return std::strchr("\"\\/bfnrt", c) != nullptr && c != '\0';
      }
      if (escape_ > 1) {
        if (!IsHex(c)) return false;
        escape_ = escape_ == 2 ? 0 : escape_ - 1;
        return true;
      }
      if (u < 0x20) return false;
      if (c == '\\') {
        escape_ = 1;
        return true;
      }
      if (c == '"') {
        if (is_key_) {
          mode_ = Mode::kColon;
          return true;
        }
        return CloseValue();
      }
      return true;
    }
    case Mode::kNumber:
      switch (num_) {
        case Num::kMinus:
          if (!IsDigit(c)) return false;
          num_ = c == '0' ? Num::kZero : Num::kInt;
          return true;
        case Num::kZero:
        case Num::kInt:
          if (IsDigit(c) && num_ == Num::kInt) return true;
          if (c == '.') {
            num_ = Num::kDot;
            return true;
          }
          if (c == 'e' || c == 'E') {
            num_ = Num::kExp;
            return true;
          }
          break;
        case Num::kDot:
          if (!IsDigit(c)) return false;
          num_ = Num::kFrac;
          return true;
        case Num::kFrac:
          if (IsDigit(c)) return true;
          if (c == 'e' || c == 'E') {
            num_ = Num::kExp;
            return true;
          }
          break;
        case Num::kExp:
          if (c == '+' || c == '-') {
            num_ = Num::kExpSign;
            return true;
          }
          if (!IsDigit(c)) return false;
          num_ = Num::kExpDigits;
          return true;
        case Num::kExpSign:
          if (!IsDigit(c)) return false;
          num_ = Num::kExpDigits;
          return true;
        case Num::kExpDigits:
          if (IsDigit(c)) return true;
          break;
      }
      // The number ends here; `c` belongs to what follows it (never the top level: the top
      // level is an object).
      if (!NumberCanEnd()) return false;
      CloseValue();
      return Push(c);
    case Mode::kLiteral:
      if (c != *literal_) return false;
      ++literal_;
      if (*literal_ == '\0') return CloseValue();
      return true;
  }
  return false;
}

int JsonPrefix::MinCompletion() const {
  const int closers = static_cast<int>(stack_.size());
  switch (mode_) {
    case Mode::kStart: return 2;                              // {}
    case Mode::kDone: return 0;
    case Mode::kValue: return (allow_close_ ? 0 : 1) + closers;  // 0
    case Mode::kKey: return (allow_close_ ? 0 : 4) + closers;    // "":0
    case Mode::kColon: return 2 + closers;                        // :0
    case Mode::kAfterValue: return closers;
    case Mode::kString: {
      int rest = 1 + (escape_ == 1 ? 1 : escape_ > 1 ? escape_ - 1 : 0);
      return rest + (is_key_ ? 2 : 0) + closers;
    }
    case Mode::kNumber:
      return (NumberCanEnd() ? 0 : 1) + closers;
    case Mode::kLiteral:
      return static_cast<int>(std::strlen(literal_)) + closers;
  }
  return closers;
}

}  // namespace miaotui::runtime
