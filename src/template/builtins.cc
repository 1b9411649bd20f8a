// Interpreter: the built-in filters, tests, methods and global functions.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>

#include "template/interpreter.h"
#include "template/json_value.h"
#include "template/text.h"

namespace miaotui::tmpl {
namespace {

Status TypeError(const std::string& what, const Value& v) {
  return InvalidArgument(what + " cannot be applied to a " + v.TypeName());
}

bool ArgBool(const CallArgs& a, size_t i, const char* name, bool def) {
  const Value* v = a.Get(i, name);
  return v ? v->Truthy() : def;
}

// JavaScript parseInt(s, 10) / parseFloat(s): the longest numeric prefix after whitespace.
std::optional<double> ParseNumberPrefix(const std::string& s, bool integer) {
  std::string t = TrimJs(s, true, false);
  char* end = nullptr;
  double d = integer ? static_cast<double>(std::strtoll(t.c_str(), &end, 10))
                     : std::strtod(t.c_str(), &end);
  if (end == t.c_str()) return std::nullopt;
  return d;
}

Result<Value> Attr(const Value& item, const std::string& path) {
  Value cur = item;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (cur.is_mapping_like()) {
      const Value* v = cur.dict().Find(part);
      cur = v ? *v : Value();
    } else if (cur.is_list()) {
      char* end = nullptr;
      const long long i = std::strtoll(part.c_str(), &end, 10);
      if (end == part.c_str() || i < 0 || static_cast<size_t>(i) >= cur.list().size()) {
        return Value();
      }
      cur = cur.list()[static_cast<size_t>(i)];
    } else {
      return Value();
    }
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

// Ordering for sort/min/max: numbers with numbers, strings with strings.
Result<int> Compare(const Value& a, const Value& b, bool case_sensitive) {
  const bool an = a.is_number() || a.kind() == Value::Kind::kBool;
  const bool bn = b.is_number() || b.kind() == Value::Kind::kBool;
  if (an && bn) return a.number() < b.number() ? -1 : a.number() > b.number() ? 1 : 0;
  if (a.is_string() && b.is_string()) {
    const std::string x = case_sensitive ? a.str() : AsciiLower(a.str());
    const std::string y = case_sensitive ? b.str() : AsciiLower(b.str());
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if ((a.is_none() && b.is_none()) || (a.is_undefined() && b.is_undefined())) return 0;
  return InvalidArgument("cannot compare a " + a.TypeName() + " with a " + b.TypeName());
}

Result<List> Sorted(const List& in, bool reverse, bool case_sensitive, const Value* attribute) {
  std::vector<std::pair<Value, Value>> keyed;
  for (const Value& v : in) {
    Value key = v;
    if (attribute && !attribute->is_none()) {
      std::string path;
      if (attribute->kind() == Value::Kind::kInt) {
        path = std::to_string(attribute->int_value());
      } else {
        path = attribute->is_string() ? attribute->str() : "";
      }
      MT_ASSIGN_OR_RETURN(key, Attr(v, path));
    }
    keyed.emplace_back(std::move(key), v);
  }
  Status error;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    auto c = Compare(x.first, y.first, case_sensitive);
    if (!c.ok()) {
      if (error.ok()) error = c.status();
      return false;
    }
    return reverse ? *c > 0 : *c < 0;
  });
  MT_RETURN_IF_ERROR(error);
  List out;
  for (auto& kv : keyed) out.push_back(std::move(kv.second));
  return out;
}

Result<List> AsList(const Value& v, const std::string& filter) {
  if (v.is_list()) return v.list();
  if (v.is_string()) {
    List out;
    for (auto& cp : SplitCodePoints(v.str())) out.push_back(Value::String(cp));
    return out;
  }
  if (v.is_mapping_like()) {
    List out;
    for (const auto& [k, x] : v.dict().items) out.push_back(Value::String(k));
    return out;
  }
  if (v.is_undefined()) return List();
  return TypeError("filter '" + filter + "'", v);
}

Result<std::string> JoinText(const Value& v) {
  if (v.is_undefined() || v.is_none()) return std::string();
  return ConcatText(v);
}

Result<Value> ToJsonFilter(const Value& operand, const CallArgs& args) {
  JsonOptions o;
  if (const Value* v = args.Get(0, "indent"); v && !v->is_none()) {
    if (v->kind() != Value::Kind::kInt) return InvalidArgument("tojson indent must be an int");
    o.indent = static_cast<int>(std::clamp<int64_t>(v->int_value(), 0, 64));
  }
  o.ensure_ascii = ArgBool(args, 99, "ensure_ascii", false);
  o.sort_keys = ArgBool(args, 99, "sort_keys", false);
  if (const Value* v = args.Get(99, "separators"); v && !v->is_none()) {
    if (!v->is_list() || v->list().size() != 2 || !v->list()[0].is_string() ||
        !v->list()[1].is_string()) {
      return InvalidArgument("tojson separators must be a pair of strings");
    }
    o.separators = std::make_pair(v->list()[0].str(), v->list()[1].str());
  }
  MT_ASSIGN_OR_RETURN(std::string s, ToJson(operand, o));
  return Value::String(std::move(s));
}

std::string Indent(const std::string& s, const std::string& pad, bool first, bool blank) {
  std::vector<std::string> lines = SplitOn(s, "\n", -1);
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n";
    if ((i == 0 && !first) || (lines[i].empty() && !blank)) {
      out += lines[i];
    } else {
      out += pad + lines[i];
    }
  }
  return out;
}

}  // namespace

Result<Value> Interpreter::ApplyFilter(const std::string& name, const Value& v,
                                       const CallArgs& args) {
  const std::string what = "filter '" + name + "'";
  if (name == "safe") return v;
  if (name == "tojson") return ToJsonFilter(v, args);
  if (name == "default" || name == "d") {
    const Value* def = args.Get(0, "default_value");
    const bool boolean = ArgBool(args, 1, "boolean", false);
    if (v.is_undefined() || (boolean && !v.Truthy())) return def ? *def : Value::String("");
    return v;
  }
  if (name == "length" || name == "count") {
    if (v.is_string()) return Value::Int(static_cast<int64_t>(Utf16Length(v.str())));
    if (v.is_list()) return Value::Int(static_cast<int64_t>(v.list().size()));
    if (v.is_mapping_like()) return Value::Int(static_cast<int64_t>(v.dict().items.size()));
    if (v.is_undefined()) return Value::Int(0);
    return TypeError(what, v);
  }
  if (name == "string") {
    if (v.kind() == Value::Kind::kNone) return Value::String("None");
    MT_ASSIGN_OR_RETURN(std::string s, RenderValue(v));
    return Value::String(std::move(s));
  }
  if (name == "int" || name == "float") {
    const Value* def = args.Get(0, "default");
    const bool is_int = name == "int";
    Value fallback = def ? *def : is_int ? Value::Int(0) : Value::Float(0);
    if (v.is_string()) {
      auto d = ParseNumberPrefix(v.str(), is_int);
      if (!d) return fallback;
      return is_int ? Value::Int(static_cast<int64_t>(*d)) : Value::Float(*d);
    }
    if (v.kind() == Value::Kind::kBool) return is_int ? Value::Int(v.bool_value()) :
                                                        Value::Float(v.bool_value());
    if (v.is_number()) {
      if (!is_int) return Value::Float(v.number());
      if (v.kind() == Value::Kind::kInt) return v;
      const double d = std::trunc(v.number());
      if (!(std::fabs(d) < 9.2e18)) return InvalidArgument("float too large for int");
      return Value::Int(static_cast<int64_t>(d));
    }
    if (v.is_undefined() || v.is_none()) return fallback;
    return TypeError(what, v);
  }
  if (name == "bool") return Value::Bool(v.Truthy());
  if (name == "abs") {
    if (v.kind() == Value::Kind::kInt) {
      if (v.int_value() == INT64_MIN) return InvalidArgument("integer overflow in abs");
      return Value::Int(std::llabs(v.int_value()));
    }
    if (v.kind() == Value::Kind::kFloat) return Value::Float(std::fabs(v.number()));
    return TypeError(what, v);
  }
  if (name == "round") {
    if (!v.is_number()) return TypeError(what, v);
    const Value* p = args.Get(0, "precision");
    const Value* m = args.Get(1, "method");
    const double scale = std::pow(10.0, p && p->kind() == Value::Kind::kInt ?
                                            static_cast<double>(p->int_value()) : 0.0);
    const std::string method = m && m->is_string() ? m->str() : "common";
    double x = v.number() * scale;
    x = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::round(x);
    return Value::Float(x / scale);
  }
  if (name == "items" || name == "dictsort") {
    if (v.is_undefined()) return Value::MakeList({});
    if (!v.is_mapping_like()) return TypeError(what, v);
    List out;
    for (const auto& [k, x] : v.dict().items) {
      out.push_back(Value::MakeList({Value::String(k), x}));
    }
    if (name == "dictsort") {
      const bool by_value = args.Get(1, "by") && args.Get(1, "by")->is_string() &&
                            args.Get(1, "by")->str() == "value";
      Value attr = Value::Int(by_value ? 1 : 0);
      MT_ASSIGN_OR_RETURN(out, Sorted(out, ArgBool(args, 2, "reverse", false),
                                      ArgBool(args, 0, "case_sensitive", false), &attr));
    }
    return Value::MakeList(std::move(out));
  }
  if (name == "list") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    return Value::MakeList(std::move(l));
  }
  // String filters.
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize" ||
      name == "trim" || name == "strip" || name == "lstrip" || name == "rstrip" ||
      name == "replace" || name == "split" || name == "indent" || name == "wordcount" ||
      name == "escape" || name == "e" || name == "center" || name == "truncate") {
    if (!v.is_string()) {
      if (name == "escape" || name == "e") {
        MT_ASSIGN_OR_RETURN(std::string s, RenderValue(v));
        return Value::String(HtmlEscape(s));
      }
      return TypeError(what, v);
    }
    const std::string& s = v.str();
    if (name == "trim" || name == "strip" || name == "lstrip" || name == "rstrip") {
      const bool l = name != "rstrip", r = name != "lstrip";
      const Value* chars = args.Get(0, "chars");
      if (chars && chars->is_string()) return Value::String(TrimChars(s, chars->str(), l, r));
      return Value::String(TrimJs(s, l, r));
    }
    if (name == "escape" || name == "e") return Value::String(HtmlEscape(s));
    if (name == "wordcount") {
      return Value::Int(static_cast<int64_t>(SplitWhitespace(s, -1).size()));
    }
    if (name == "indent") {
      const Value* w = args.Get(0, "width");
      std::string pad(4, ' ');
      if (w && w->kind() == Value::Kind::kInt) {
        pad.assign(static_cast<size_t>(std::clamp<int64_t>(w->int_value(), 0, 1024)), ' ');
      } else if (w && w->is_string()) {
        pad = w->str();
      }
      std::string out = Indent(s, pad, ArgBool(args, 1, "first", false),
                               ArgBool(args, 2, "blank", false));
      MT_RETURN_IF_ERROR(Charge(out.size()));
      return Value::String(std::move(out));
    }
    return CallMethod(*this, v, name, args);
  }
  // Sequence filters.
  if (name == "first" || name == "last") {
    if (v.is_undefined()) return Value();
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    if (l.empty()) return Value();
    return name == "first" ? l.front() : l.back();
  }
  if (name == "join") {
    if (v.is_undefined()) return Value::String("");
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    const Value* sep = args.Get(0, "d");
    const Value* attr = args.Get(1, "attribute");
    std::string out;
    for (size_t i = 0; i < l.size(); ++i) {
      if (i > 0 && sep) {
        MT_ASSIGN_OR_RETURN(std::string s, JoinText(*sep));
        out += s;
      }
      Value item = l[i];
      if (attr && attr->is_string()) {
        MT_ASSIGN_OR_RETURN(item, Attr(item, attr->str()));
      }
      MT_ASSIGN_OR_RETURN(std::string s, JoinText(item));
      out += s;
      MT_RETURN_IF_ERROR(Charge(s.size()));
    }
    return Value::String(std::move(out));
  }
  if (name == "reverse") {
    if (v.is_string()) {
      std::vector<std::string> cps = SplitCodePoints(v.str());
      std::string out;
      for (auto it = cps.rbegin(); it != cps.rend(); ++it) out += *it;
      return Value::String(std::move(out));
    }
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    std::reverse(l.begin(), l.end());
    return Value::MakeList(std::move(l));
  }
  if (name == "sort") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    MT_ASSIGN_OR_RETURN(l, Sorted(l, ArgBool(args, 0, "reverse", false),
                                  ArgBool(args, 1, "case_sensitive", false),
                                  args.Get(2, "attribute")));
    return Value::MakeList(std::move(l));
  }
  if (name == "unique") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    List out;
    for (const Value& x : l) {
      bool seen = false;
      for (const Value& y : out) seen = seen || y.StrictEquals(x);
      if (!seen) out.push_back(x);
    }
    return Value::MakeList(std::move(out));
  }
  if (name == "min" || name == "max") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    MT_ASSIGN_OR_RETURN(l, Sorted(l, name == "max", ArgBool(args, 0, "case_sensitive", false),
                                  args.Get(1, "attribute")));
    return l.empty() ? Value() : l.front();
  }
  if (name == "sum") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    const Value* attr = args.Get(0, "attribute");
    const Value* start = args.Get(1, "start");
    Value acc = start ? *start : Value::Int(0);
    for (const Value& x : l) {
      Value item = x;
      if (attr && attr->is_string()) {
        MT_ASSIGN_OR_RETURN(item, Attr(x, attr->str()));
      }
      if (!item.is_number() || !acc.is_number()) return TypeError(what, item);
      if (acc.kind() == Value::Kind::kInt && item.kind() == Value::Kind::kInt) {
        int64_t r;
        if (__builtin_add_overflow(acc.int_value(), item.int_value(), &r)) {
          return InvalidArgument("integer overflow in sum");
        }
        acc = Value::Int(r);
      } else {
        acc = Value::Float(acc.number() + item.number());
      }
    }
    return acc;
  }
  if (name == "batch") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    const Value* n = args.Get(0, "linecount");
    if (!n || n->kind() != Value::Kind::kInt || n->int_value() <= 0) {
      return InvalidArgument("batch needs a positive count");
    }
    const Value* fill = args.Get(1, "fill_with");
    List out, cur;
    for (const Value& x : l) {
      cur.push_back(x);
      if (static_cast<int64_t>(cur.size()) == n->int_value()) {
        out.push_back(Value::MakeList(std::move(cur)));
        cur.clear();
      }
    }
    if (!cur.empty()) {
      while (fill && static_cast<int64_t>(cur.size()) < n->int_value()) cur.push_back(*fill);
      out.push_back(Value::MakeList(std::move(cur)));
    }
    return Value::MakeList(std::move(out));
  }
  if (name == "selectattr" || name == "rejectattr" || name == "select" || name == "reject") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    const bool by_attr = name == "selectattr" || name == "rejectattr";
    const bool keep_if = name == "selectattr" || name == "select";
    const size_t base = by_attr ? 1 : 0;
    if (by_attr && (args.positional.empty() || !args.positional[0].is_string())) {
      return InvalidArgument(what + " needs an attribute name");
    }
    const Value* test = base < args.positional.size() ? &args.positional[base] : nullptr;
    CallArgs test_args;
    for (size_t i = base + 1; i < args.positional.size(); ++i) {
      test_args.positional.push_back(args.positional[i]);
    }
    List out;
    for (const Value& x : l) {
      Value subject = x;
      if (by_attr) {
        MT_ASSIGN_OR_RETURN(subject, Attr(x, args.positional[0].str()));
      }
      bool pass = subject.Truthy();
      if (test) {
        if (!test->is_string()) return InvalidArgument(what + " needs a test name");
        MT_ASSIGN_OR_RETURN(pass, ApplyTest(test->str(), subject, test_args));
      }
      if (pass == keep_if) out.push_back(x);
    }
    return Value::MakeList(std::move(out));
  }
  if (name == "map") {
    MT_ASSIGN_OR_RETURN(List l, AsList(v, name));
    List out;
    const Value* attr = args.Get(99, "attribute");
    if (attr) {
      if (!attr->is_string()) return InvalidArgument("map attribute must be a string");
      const Value* def = args.Get(99, "default");
      for (const Value& x : l) {
        MT_ASSIGN_OR_RETURN(Value item, Attr(x, attr->str()));
        out.push_back(item.is_undefined() && def ? *def : item);
      }
      return Value::MakeList(std::move(out));
    }
    if (args.positional.empty() || !args.positional[0].is_string()) {
      return InvalidArgument("map needs attribute= or a filter name");
    }
    CallArgs rest;
    rest.positional.assign(args.positional.begin() + 1, args.positional.end());
    rest.keywords = args.keywords;
    for (const Value& x : l) {
      MT_ASSIGN_OR_RETURN(Value item, ApplyFilter(args.positional[0].str(), x, rest));
      out.push_back(std::move(item));
    }
    return Value::MakeList(std::move(out));
  }
  return InvalidArgument("unknown filter '" + name + "'");
}

Result<bool> Interpreter::ApplyTest(const std::string& name, const Value& v,
                                    const CallArgs& args) {
  using K = Value::Kind;
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "boolean") return v.kind() == K::kBool;
  if (name == "true") return v.kind() == K::kBool && v.bool_value();
  if (name == "false") return v.kind() == K::kBool && !v.bool_value();
  if (name == "string") return v.is_string();
  if (name == "number") return v.is_number();
  if (name == "integer") return v.kind() == K::kInt;
  if (name == "float") return v.kind() == K::kFloat;
  if (name == "mapping") return v.is_dict();
  if (name == "iterable") return v.is_list() || v.is_string() || v.is_dict();
  if (name == "sequence") return v.is_list() || v.is_string() || v.is_dict();
  if (name == "callable") return v.kind() == K::kFunction;
  if (name == "lower") return v.is_string() && AsciiLower(v.str()) == v.str();
  if (name == "upper") return v.is_string() && AsciiUpper(v.str()) == v.str();
  if (name == "odd" || name == "even") {
    if (v.kind() != K::kInt) return TypeError("test '" + name + "'", v);
    return (v.int_value() % 2 != 0) == (name == "odd");
  }
  const Value* arg = args.Get(0, "value");
  if (name == "divisibleby") {
    if (v.kind() != K::kInt || !arg || arg->kind() != K::kInt) {
      return InvalidArgument("test 'divisibleby' needs two integers");
    }
    if (arg->int_value() == 0) return InvalidArgument("test 'divisibleby' with zero");
    if (arg->int_value() == -1) return true;
    return v.int_value() % arg->int_value() == 0;
  }
  if (name == "equalto" || name == "eq" || name == "==" || name == "sameas") {
    return arg ? v.StrictEquals(*arg) : v.is_undefined();
  }
  if (name == "ne" || name == "!=") return !(arg ? v.StrictEquals(*arg) : v.is_undefined());
  if (name == "in") {
    if (!arg) return InvalidArgument("test 'in' needs a container");
    if (arg->is_list()) {
      for (const Value& x : arg->list()) {
        if (x.StrictEquals(v)) return true;
      }
      return false;
    }
    if (arg->is_string() && v.is_string()) return arg->str().find(v.str()) != std::string::npos;
    if (arg->is_mapping_like()) return v.is_string() && arg->dict().Find(v.str()) != nullptr;
    return InvalidArgument("test 'in' needs a container");
  }
  if (name == "gt" || name == "lt" || name == "ge" || name == "le") {
    if (!arg) return InvalidArgument("test '" + name + "' needs a value");
    MT_ASSIGN_OR_RETURN(int c, Compare(v, *arg, true));
    return name == "gt" ? c > 0 : name == "lt" ? c < 0 : name == "ge" ? c >= 0 : c <= 0;
  }
  return InvalidArgument("unknown test '" + name + "'");
}

}  // namespace miaotui::tmpl
