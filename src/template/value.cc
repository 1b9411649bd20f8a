#include "template/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "template/json_value.h"

namespace miaotui::tmpl {

const Value* Dict::Find(std::string_view key) const {
  for (const auto& [k, v] : items) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Dict::Set(const std::string& key, Value value) {
  for (auto& [k, v] : items) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  items.emplace_back(key, std::move(value));
}

const Value* CallArgs::Get(size_t index, std::string_view name) const {
  if (index < positional.size()) return &positional[index];
  for (const auto& [k, v] : keywords) {
    if (k == name) return &v;
  }
  return nullptr;
}

Value Value::None() {
  Value v;
  v.kind_ = Kind::kNone;
  return v;
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}

Value Value::Float(double f) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.f_ = f;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.s_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::MakeList(List items) {
  Value v;
  v.kind_ = Kind::kList;
  v.list_ = std::make_shared<const List>(std::move(items));
  return v;
}

Value Value::MakeDict(Dict dict) {
  Value v;
  v.kind_ = Kind::kDict;
  v.dict_ = std::make_shared<Dict>(std::move(dict));
  return v;
}

Value Value::MakeNamespace(std::shared_ptr<Dict> dict) {
  Value v;
  v.kind_ = Kind::kNamespace;
  v.dict_ = std::move(dict);
  return v;
}

Value Value::Function(std::string name, NativeFunction fn) {
  Value v;
  v.kind_ = Kind::kFunction;
  v.fn_ = std::make_shared<const Fn>(Fn{std::move(name), std::move(fn)});
  return v;
}

bool Value::Truthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone: return false;
    case Kind::kBool: return b_;
    case Kind::kInt: return i_ != 0;
    case Kind::kFloat: return f_ != 0 && !std::isnan(f_);
    case Kind::kString: return !s_->empty();
    case Kind::kList: return !list_->empty();
    case Kind::kDict: return !dict_->items.empty();
    case Kind::kNamespace:
    case Kind::kFunction: return true;
  }
  return false;
}

bool Value::StrictEquals(const Value& o) const {
  if (is_number() && o.is_number()) return number() == o.number();
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone: return true;
    case Kind::kBool: return b_ == o.b_;
    case Kind::kString: return *s_ == *o.s_;
    case Kind::kList: return list_ == o.list_;
    case Kind::kDict:
    case Kind::kNamespace: return dict_ == o.dict_;
    case Kind::kFunction: return fn_ == o.fn_;
    default: return false;
  }
}

namespace {

// JavaScript ToNumber for a string: trimmed, "" -> 0, otherwise a full decimal literal or NaN.
double JsStringToNumber(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || (s[b] >= '\t' && s[b] <= '\r'))) ++b;
  while (e > b && (s[e - 1] == ' ' || (s[e - 1] >= '\t' && s[e - 1] <= '\r'))) --e;
  if (b == e) return 0;
  std::string t = s.substr(b, e - b);
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return NAN;
  return d;
}

}  // namespace

bool Value::LooseEquals(const Value& o) const {
  const bool a_nullish = is_undefined() || is_none();
  const bool b_nullish = o.is_undefined() || o.is_none();
  if (a_nullish || b_nullish) return a_nullish && b_nullish;
  const bool a_num = is_number() || kind_ == Kind::kBool;
  const bool b_num = o.is_number() || o.kind_ == Kind::kBool;
  if (a_num && b_num) return number() == o.number();
  if (a_num && o.is_string()) return number() == JsStringToNumber(o.str());
  if (is_string() && b_num) return JsStringToNumber(str()) == o.number();
  return StrictEquals(o);
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kUndefined: return "undefined";
    case Kind::kNone: return "none";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kString: return "string";
    case Kind::kList: return "list";
    case Kind::kDict: return "dict";
    case Kind::kNamespace: return "namespace";
    case Kind::kFunction: return "function";
  }
  return "?";
}

std::string JsNumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  size_t epos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < epos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  const int exp10 = std::atoi(sci.c_str() + epos + 1);
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(-n, '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

Result<std::string> RenderValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone: return std::string();
    case Value::Kind::kBool: return std::string(v.bool_value() ? "true" : "false");
    case Value::Kind::kInt: return std::to_string(v.int_value());
    case Value::Kind::kFloat: {
      const double d = v.number();
      if (d == 0 && std::signbit(d)) return std::string("-0.0");
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e21) {
        char buf[400];
        std::snprintf(buf, sizeof(buf), "%.1f", d);
        return std::string(buf);
      }
      return JsNumberToString(d);
    }
    case Value::Kind::kString: return v.str();
    case Value::Kind::kList:
    case Value::Kind::kDict:
    case Value::Kind::kNamespace: {
      JsonOptions options;
      options.undefined_as_null = false;
      return ToJson(v, options);
    }
    case Value::Kind::kFunction: return "<function " + v.function_name() + ">";
  }
  return std::string();
}

Result<std::string> ConcatText(const Value& v) {
  if (v.kind() == Value::Kind::kFloat) return JsNumberToString(v.number());
  return RenderValue(v);
}

}  // namespace miaotui::tmpl
