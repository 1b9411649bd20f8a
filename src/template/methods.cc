// Interpreter: methods on values (str.strip(), dict.get(), ...) and the global functions.
#include <chrono>
#include <ctime>

#include "template/interpreter.h"
#include "template/text.h"

namespace miaotui::tmpl {
namespace {

Result<Value> StringMethod(Interpreter& in, const std::string& s, const std::string& name,
                           const CallArgs& args) {
  const Value* a0 = args.Get(0, "");
  if (name == "upper") return Value::String(AsciiUpper(s));
  if (name == "lower") return Value::String(AsciiLower(s));
  if (name == "title") return Value::String(TitleCase(s));
  if (name == "capitalize") {
    if (s.empty()) return Value::String("");
    std::string out = s;
    if (out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return Value::String(std::move(out));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    const bool l = name != "rstrip", r = name != "lstrip";
    if (a0 && a0->is_string()) return Value::String(TrimChars(s, a0->str(), l, r));
    return Value::String(TrimJs(s, l, r));
  }
  if (name == "startswith" || name == "endswith") {
    if (!a0) return InvalidArgument(name + "() needs an argument");
    auto match = [&](const Value& p) -> Result<bool> {
      if (!p.is_string()) return InvalidArgument(name + "() argument must be a string");
      const std::string& x = p.str();
      if (x.size() > s.size()) return false;
      return name == "startswith" ? s.compare(0, x.size(), x) == 0
                                  : s.compare(s.size() - x.size(), x.size(), x) == 0;
    };
    if (a0->is_list()) {
      for (const Value& p : a0->list()) {
        MT_ASSIGN_OR_RETURN(bool hit, match(p));
        if (hit) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    MT_ASSIGN_OR_RETURN(bool hit, match(*a0));
    return Value::Bool(hit);
  }
  if (name == "split") {
    const Value* sep = args.Get(0, "sep");
    const Value* maxsplit = args.Get(1, "maxsplit");
    const int64_t max = maxsplit && maxsplit->kind() == Value::Kind::kInt ?
                        maxsplit->int_value() : -1;
    std::vector<std::string> parts;
    if (!sep || sep->is_none() || sep->is_undefined()) {
      parts = SplitWhitespace(s, max);
    } else if (sep->is_string()) {
      if (sep->str().empty()) return InvalidArgument("split(): empty separator");
      parts = SplitOn(s, sep->str(), max);
    } else {
      return InvalidArgument("split() separator must be a string");
    }
    List out;
    for (auto& p : parts) out.push_back(Value::String(std::move(p)));
    return Value::MakeList(std::move(out));
  }
  if (name == "replace") {
    const Value* from = args.Get(0, "old");
    const Value* to = args.Get(1, "new");
    const Value* count = args.Get(2, "count");
    if (!from || !to || !from->is_string() || !to->is_string()) {
      return InvalidArgument("replace() needs two strings");
    }
    const int64_t n = count && count->kind() == Value::Kind::kInt ? count->int_value() : -1;
    std::string out = ReplaceAll(s, from->str(), to->str(), n);
    MT_RETURN_IF_ERROR(in.Charge(out.size()));
    return Value::String(std::move(out));
  }
  if (name == "find" || name == "count") {
    if (!a0 || !a0->is_string()) return InvalidArgument(name + "() needs a string");
    if (name == "find") {
      const size_t at = s.find(a0->str());
      if (at == std::string::npos) return Value::Int(-1);
      return Value::Int(static_cast<int64_t>(Utf16Length(s.substr(0, at))));
    }
    if (a0->str().empty()) return Value::Int(static_cast<int64_t>(Utf16Length(s)) + 1);
    int64_t n = 0;
    for (size_t at = s.find(a0->str()); at != std::string::npos;
         at = s.find(a0->str(), at + a0->str().size())) {
      ++n;
    }
    return Value::Int(n);
  }
  if (name == "join") {
    if (!a0 || !a0->is_list()) return InvalidArgument("join() needs a list");
    std::string out;
    for (size_t i = 0; i < a0->list().size(); ++i) {
      if (i > 0) out += s;
      MT_ASSIGN_OR_RETURN(std::string part, ConcatText(a0->list()[i]));
      out += part;
      MT_RETURN_IF_ERROR(in.Charge(part.size() + s.size()));
    }
    return Value::String(std::move(out));
  }
  if (name == "format") {
    std::string out;
    size_t next = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '{' && i + 1 < s.size() && s[i + 1] == '{') {
        out += '{';
        ++i;
      } else if (s[i] == '}' && i + 1 < s.size() && s[i + 1] == '}') {
        out += '}';
        ++i;
      } else if (s[i] == '{') {
        const size_t close = s.find('}', i);
        if (close == std::string::npos) return InvalidArgument("format(): unmatched '{'");
        const std::string field = s.substr(i + 1, close - i - 1);
        const Value* v = nullptr;
        if (field.empty()) {
          v = next < args.positional.size() ? &args.positional[next++] : nullptr;
        } else if (field.find_first_not_of("0123456789") == std::string::npos) {
          const size_t idx = std::stoul(field.substr(0, 9));
          v = idx < args.positional.size() ? &args.positional[idx] : nullptr;
        } else {
          v = args.Get(SIZE_MAX, field);
        }
        if (!v) return InvalidArgument("format(): no argument for '{" + field + "}'");
        MT_ASSIGN_OR_RETURN(std::string part, RenderValue(*v));
        out += part;
        MT_RETURN_IF_ERROR(in.Charge(part.size()));
        i = close;
      } else {
        out += s[i];
      }
    }
    return Value::String(std::move(out));
  }
  return InvalidArgument("unknown method '" + name + "' on a string");
}

}  // namespace

Result<Value> CallMethod(Interpreter& in, const Value& obj, const std::string& name,
                         const CallArgs& args) {
  if (obj.is_string()) return StringMethod(in, obj.str(), name, args);
  if (obj.is_dict()) {
    const Dict& d = obj.dict();
    if (name == "get") {
      const Value* key = args.Get(0, "key");
      const Value* def = args.Get(1, "default");
      if (!key || !key->is_string()) return InvalidArgument("get() key must be a string");
      const Value* v = d.Find(key->str());
      return v ? *v : def ? *def : Value::None();
    }
    if (name == "items" || name == "keys" || name == "values") {
      List out;
      for (const auto& [k, v] : d.items) {
        if (name == "items") out.push_back(Value::MakeList({Value::String(k), v}));
        if (name == "keys") out.push_back(Value::String(k));
        if (name == "values") out.push_back(v);
      }
      return Value::MakeList(std::move(out));
    }
    return InvalidArgument("unknown method '" + name + "' on a dict");
  }
  if (obj.is_undefined()) return InvalidArgument("cannot call method '" + name + "' on undefined");
  return InvalidArgument("unknown method '" + name + "' on a " + obj.TypeName());
}

void InstallGlobals(Scope* scope) {
  auto& g = scope->vars;
  g["true"] = g["True"] = Value::Bool(true);
  g["false"] = g["False"] = Value::Bool(false);
  g["none"] = g["None"] = Value::None();
  g["raise_exception"] = Value::Function("raise_exception", [](Interpreter& in,
                                                               const CallArgs& args) {
    const Value* msg = args.Get(0, "message");
    auto text = msg ? RenderValue(*msg) : Result<std::string>(std::string());
    return Result<Value>(in.Raise(text.ok() ? *text : std::string()));
  });
  g["strftime_now"] = Value::Function("strftime_now", [](Interpreter&, const CallArgs& args) {
    const Value* fmt = args.Get(0, "format");
    if (!fmt || !fmt->is_string()) {
      return Result<Value>(InvalidArgument("strftime_now() needs a format string"));
    }
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    static const char* kMonths[] = {"January", "February", "March",     "April",
                                    "May",     "June",     "July",      "August",
                                    "September", "October", "November", "December"};
    std::string out;
    const std::string& f = fmt->str();
    auto pad2 = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '%' || i + 1 >= f.size()) {
        out += f[i];
        continue;
      }
      const char c = f[++i];
      switch (c) {
        case 'Y': out += std::to_string(tm.tm_year + 1900); break;
        case 'm': out += pad2(tm.tm_mon + 1); break;
        case 'd': out += pad2(tm.tm_mday); break;
        case 'b': out += std::string(kMonths[tm.tm_mon]).substr(0, 3); break;
        case 'B': out += kMonths[tm.tm_mon]; break;
        case 'H': out += pad2(tm.tm_hour); break;
        case 'M': out += pad2(tm.tm_min); break;
        case '%': out += '%'; break;
        default: out += '%'; out += c;
      }
    }
    return Result<Value>(Value::String(std::move(out)));
  });
  g["range"] = Value::Function("range", [](Interpreter&, const CallArgs& args) {
    std::vector<int64_t> v;
    for (const Value& a : args.positional) {
      if (a.kind() != Value::Kind::kInt) {
        return Result<Value>(InvalidArgument("range() arguments must be integers"));
      }
      v.push_back(a.int_value());
    }
    if (v.empty() || v.size() > 3) return Result<Value>(InvalidArgument("range() takes 1-3 ints"));
    const int64_t start = v.size() == 1 ? 0 : v[0];
    const int64_t stop = v.size() == 1 ? v[0] : v[1];
    const int64_t step = v.size() == 3 ? v[2] : 1;
    if (step == 0) return Result<Value>(InvalidArgument("range() step must not be zero"));
    List out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
      if (out.size() >= static_cast<size_t>(kMaxLoopIterations)) {
        return Result<Value>(ResourceExhausted("range() longer than " +
                                               std::to_string(kMaxLoopIterations)));
      }
      out.push_back(Value::Int(i));
      if (__builtin_add_overflow(i, step, &i)) break;
    }
    return Result<Value>(Value::MakeList(std::move(out)));
  });
  g["namespace"] = Value::Function("namespace", [](Interpreter& in, const CallArgs& args) {
    auto ns = in.NewNamespace();
    if (!args.positional.empty()) {
      const Value& src = args.positional[0];
      if (!src.is_mapping_like()) {
        return Result<Value>(InvalidArgument("namespace() argument must be a dict"));
      }
      for (const auto& [k, v] : src.dict().items) ns->Set(k, v);
    }
    for (const auto& [k, v] : args.keywords) ns->Set(k, v);
    return Result<Value>(Value::MakeNamespace(ns));
  });
  g["dict"] = Value::Function("dict", [](Interpreter&, const CallArgs& args) {
    Dict d;
    if (!args.positional.empty() && args.positional[0].is_mapping_like()) {
      d = args.positional[0].dict();
    }
    for (const auto& [k, v] : args.keywords) d.Set(k, v);
    return Result<Value>(Value::MakeDict(std::move(d)));
  });
}

}  // namespace miaotui::tmpl
