// Interpreter: expressions (literals, names, operators, calls, attributes, subscripts).
#include <cmath>
#include <limits>

#include "template/interpreter.h"
#include "template/text.h"

namespace miaotui::tmpl {

Result<Value> Interpreter::Eval(const Node& n, Scope* scope) {
  switch (n.kind) {
    case NodeKind::kInt: return Value::Int(n.ival);
    case NodeKind::kFloat: return Value::Float(n.fval);
    case NodeKind::kString: return Value::String(n.str);
    case NodeKind::kName: {
      const Value* v = scope->Lookup(n.str);
      return v ? *v : Value();
    }
    case NodeKind::kList:
    case NodeKind::kTuple: {
      List items;
      for (const auto& k : n.kids) {
        MT_ASSIGN_OR_RETURN(Value v, Eval(*k, scope));
        items.push_back(std::move(v));
      }
      return Value::MakeList(std::move(items));
    }
    case NodeKind::kDict: {
      Dict d;
      for (size_t i = 0; i + 1 < n.kids.size(); i += 2) {
        MT_ASSIGN_OR_RETURN(Value key, Eval(*n.kids[i], scope));
        if (!key.is_string()) return ErrorAt(n, "dict keys must be strings, got " + key.TypeName());
        MT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids[i + 1], scope));
        d.Set(key.str(), std::move(v));
      }
      return Value::MakeDict(std::move(d));
    }
    case NodeKind::kAttribute: {
      MT_ASSIGN_OR_RETURN(Value obj, Eval(*n.kids[0], scope));
      return EvalAttribute(n, obj, n.str);
    }
    case NodeKind::kIndex: {
      MT_ASSIGN_OR_RETURN(Value obj, Eval(*n.kids[0], scope));
      MT_ASSIGN_OR_RETURN(Value key, Eval(*n.kids[1], scope));
      return EvalIndex(n, obj, key);
    }
    case NodeKind::kSlice: return EvalSlice(n, scope);
    case NodeKind::kCall: return EvalCall(n, scope);
    case NodeKind::kFilter: {
      MT_ASSIGN_OR_RETURN(Value operand, Eval(*n.kids[0], scope));
      CallArgs args;
      MT_RETURN_IF_ERROR(EvalArgs(n.kids, 1, scope, &args));
      auto r = ApplyFilter(n.str, operand, args);
      if (!r.ok()) return Located(n, r.status());
      return std::move(r).value();
    }
    case NodeKind::kTest: {
      MT_ASSIGN_OR_RETURN(Value operand, Eval(*n.kids[0], scope));
      CallArgs args;
      MT_RETURN_IF_ERROR(EvalArgs(n.kids, 1, scope, &args));
      auto r = ApplyTest(n.str, operand, args);
      if (!r.ok()) return Located(n, r.status());
      return Value::Bool(*r != n.negate);
    }
    case NodeKind::kUnary: {
      MT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids[0], scope));
      if (n.str == "not") return Value::Bool(!v.Truthy());
      const bool neg = n.str == "-";
      if (v.kind() == Value::Kind::kFloat) return Value::Float(neg ? -v.number() : v.number());
      if (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kBool) {
        const int64_t i = v.kind() == Value::Kind::kBool ? v.bool_value() : v.int_value();
        if (neg && i == std::numeric_limits<int64_t>::min()) return ErrorAt(n, "integer overflow");
        return Value::Int(neg ? -i : i);
      }
      return ErrorAt(n, "unary '" + n.str + "' on a " + v.TypeName());
    }
    case NodeKind::kBinary: return EvalBinary(n, scope);
    case NodeKind::kTernary: {
      MT_ASSIGN_OR_RETURN(Value cond, Eval(*n.kids[0], scope));
      if (cond.Truthy()) return Eval(*n.kids[1], scope);
      if (!n.kids[2]) return Value();
      return Eval(*n.kids[2], scope);
    }
    case NodeKind::kKeyword: return ErrorAt(n, "keyword argument '" + n.str + "' outside a call");
    default: return ErrorAt(n, "statement used as an expression");
  }
}

Status Interpreter::EvalArgs(const NodeList& kids, size_t first, Scope* scope, CallArgs* args) {
  for (size_t i = first; i < kids.size(); ++i) {
    const Node& k = *kids[i];
    if (k.kind == NodeKind::kKeyword) {
      MT_ASSIGN_OR_RETURN(Value v, Eval(*k.kids[0], scope));
      for (const auto& kw : args->keywords) {
        if (kw.first == k.str) return ErrorAt(k, "keyword argument '" + k.str + "' repeated");
      }
      args->keywords.emplace_back(k.str, std::move(v));
    } else {
      MT_ASSIGN_OR_RETURN(Value v, Eval(k, scope));
      args->positional.push_back(std::move(v));
    }
  }
  return Status::Ok();
}

Result<Value> Interpreter::EvalCall(const Node& n, Scope* scope) {
  const Node& callee = *n.kids[0];
  CallArgs args;
  Value fn;
  if (callee.kind == NodeKind::kAttribute) {
    MT_ASSIGN_OR_RETURN(Value obj, Eval(*callee.kids[0], scope));
    const Value* member = obj.is_mapping_like() ? obj.dict().Find(callee.str) : nullptr;
    MT_RETURN_IF_ERROR(EvalArgs(n.kids, 1, scope, &args));
    if (!member) {
      auto r = CallMethod(*this, obj, callee.str, args);
      if (!r.ok()) return Located(n, r.status());
      return std::move(r).value();
    }
    fn = *member;
  } else {
    MT_ASSIGN_OR_RETURN(fn, Eval(callee, scope));
    MT_RETURN_IF_ERROR(EvalArgs(n.kids, 1, scope, &args));
  }
  if (fn.kind() != Value::Kind::kFunction) {
    if (fn.is_undefined() && callee.kind == NodeKind::kName) {
      return ErrorAt(n, "unknown function '" + callee.str + "'");
    }
    return ErrorAt(n, "cannot call a value of type " + fn.TypeName());
  }
  Scope* saved = current_scope_;
  current_scope_ = scope;
  auto r = fn.function()(*this, args);
  current_scope_ = saved;
  if (!r.ok()) return Located(n, r.status());
  return std::move(r).value();
}

Result<Value> Interpreter::EvalAttribute(const Node& n, const Value& obj,
                                         const std::string& name) {
  if (obj.is_mapping_like()) {
    const Value* v = obj.dict().Find(name);
    return v ? *v : Value();
  }
  if (name == "length") {
    if (obj.is_string()) return Value::Int(static_cast<int64_t>(Utf16Length(obj.str())));
    if (obj.is_list()) return Value::Int(static_cast<int64_t>(obj.list().size()));
  }
  return Value();
}

Result<Value> Interpreter::EvalIndex(const Node& n, const Value& obj, const Value& key) {
  if (obj.is_mapping_like()) {
    if (!key.is_string()) {
      return ErrorAt(n, "cannot index a " + obj.TypeName() + " with a " + key.TypeName());
    }
    const Value* v = obj.dict().Find(key.str());
    return v ? *v : Value();
  }
  if (obj.is_list() || obj.is_string()) {
    if (key.is_string()) return EvalAttribute(n, obj, key.str());
    if (key.kind() != Value::Kind::kInt) {
      return ErrorAt(n, "cannot index a " + obj.TypeName() + " with a " + key.TypeName());
    }
    if (obj.is_list()) {
      const int64_t size = static_cast<int64_t>(obj.list().size());
      int64_t i = key.int_value();
      if (i < 0) i += size;
      if (i < 0 || i >= size) return Value();
      return obj.list()[static_cast<size_t>(i)];
    }
    std::vector<std::string> cps = SplitCodePoints(obj.str());
    const int64_t size = static_cast<int64_t>(cps.size());
    int64_t i = key.int_value();
    if (i < 0) i += size;
    if (i < 0 || i >= size) return Value();
    return Value::String(cps[static_cast<size_t>(i)]);
  }
  return Value();
}

Result<Value> Interpreter::EvalSlice(const Node& n, Scope* scope) {
  MT_ASSIGN_OR_RETURN(Value obj, Eval(*n.kids[0], scope));
  std::optional<int64_t> parts[3];
  for (int i = 0; i < 3; ++i) {
    if (!n.kids[i + 1]) continue;
    MT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids[i + 1], scope));
    if (v.is_undefined() || v.is_none()) continue;
    if (v.kind() != Value::Kind::kInt) return ErrorAt(n, "slice bounds must be integers");
    parts[i] = v.int_value();
  }
  const int64_t step = parts[2].value_or(1);
  if (step == 0) return ErrorAt(n, "slice step cannot be zero");
  std::vector<std::string> cps;
  int64_t len;
  if (obj.is_list()) {
    len = static_cast<int64_t>(obj.list().size());
  } else if (obj.is_string()) {
    cps = SplitCodePoints(obj.str());
    len = static_cast<int64_t>(cps.size());
  } else {
    return ErrorAt(n, "cannot slice a " + obj.TypeName());
  }
  int64_t start, stop;
  if (step > 0) {
    start = parts[0].value_or(0);
    start = start < 0 ? std::max<int64_t>(len + start, 0) : std::min(start, len);
    stop = parts[1].value_or(len);
    stop = stop < 0 ? std::max<int64_t>(len + stop, 0) : std::min(stop, len);
  } else {
    start = parts[0].value_or(len - 1);
    start = start < 0 ? std::max<int64_t>(len + start, -1) : std::min(start, len - 1);
    stop = parts[1].value_or(-1);
    stop = stop < -1 ? std::max<int64_t>(len + stop, -1) : std::min(stop, len - 1);
  }
  List items;
  std::string text;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (obj.is_list()) {
      items.push_back(obj.list()[static_cast<size_t>(i)]);
    } else {
      text += cps[static_cast<size_t>(i)];
    }
  }
  if (obj.is_list()) return Value::MakeList(std::move(items));
  return Value::String(std::move(text));
}

Result<Value> Interpreter::EvalBinary(const Node& n, Scope* scope) {
  MT_ASSIGN_OR_RETURN(Value a, Eval(*n.kids[0], scope));
  const std::string& op = n.str;
  if (op == "and") return a.Truthy() ? Eval(*n.kids[1], scope) : a;
  if (op == "or") return a.Truthy() ? a : Eval(*n.kids[1], scope);
  MT_ASSIGN_OR_RETURN(Value b, Eval(*n.kids[1], scope));
  if (op == "==") return Value::Bool(a.LooseEquals(b));
  if (op == "!=") return Value::Bool(!a.LooseEquals(b));
  const bool in_op = op == "in" || op == "not in";
  if (a.is_undefined() || b.is_undefined()) {
    if (b.is_undefined() && in_op) return Value::Bool(op == "not in");
    return ErrorAt(n, "cannot apply '" + op + "' to an undefined value");
  }
  if (a.is_none() || b.is_none()) return ErrorAt(n, "cannot apply '" + op + "' to none");
  if (op == "~") {
    MT_ASSIGN_OR_RETURN(std::string l, ConcatText(a));
    MT_ASSIGN_OR_RETURN(std::string r, ConcatText(b));
    MT_RETURN_IF_ERROR(Located(n, Charge(l.size() + r.size())));
    return Value::String(l + r);
  }
  const bool a_num = a.is_number() || a.kind() == Value::Kind::kBool;
  const bool b_num = b.is_number() || b.kind() == Value::Kind::kBool;
  if (a_num && b_num && !in_op) return EvalArithmetic(n, a, b);
  if (in_op) {
    bool found;
    if (b.is_list()) {
      found = false;
      for (const Value& x : b.list()) found = found || x.StrictEquals(a);
    } else if (b.is_string() && a.is_string()) {
      found = b.str().find(a.str()) != std::string::npos;
    } else if (b.is_mapping_like()) {
      found = a.is_string() && b.dict().Find(a.str()) != nullptr;
    } else {
      return ErrorAt(n, "cannot apply '" + op + "' to a " + a.TypeName() + " and a " +
                            b.TypeName());
    }
    return Value::Bool(found == (op == "in"));
  }
  if (op == "+" && a.is_list() && b.is_list()) {
    List items = a.list();
    items.insert(items.end(), b.list().begin(), b.list().end());
    MT_RETURN_IF_ERROR(Located(n, Charge(items.size() * sizeof(Value))));
    return Value::MakeList(std::move(items));
  }
  if (op == "+" && (a.is_string() || b.is_string())) {
    MT_ASSIGN_OR_RETURN(std::string l, ConcatText(a));
    MT_ASSIGN_OR_RETURN(std::string r, ConcatText(b));
    MT_RETURN_IF_ERROR(Located(n, Charge(l.size() + r.size())));
    return Value::String(l + r);
  }
  if (op == "*" && ((a.is_string() && b.kind() == Value::Kind::kInt) ||
                    (b.is_string() && a.kind() == Value::Kind::kInt))) {
    const std::string& s = a.is_string() ? a.str() : b.str();
    const int64_t times = a.is_string() ? b.int_value() : a.int_value();
    if (times <= 0 || s.empty()) return Value::String("");
    if (static_cast<uint64_t>(times) > kMaxOutputBytes / s.size()) {
      return Status(StatusCode::kResourceExhausted,
                    "template line " + std::to_string(n.line) + ": string repetition longer than " +
                        std::to_string(kMaxOutputBytes) + " bytes");
    }
    MT_RETURN_IF_ERROR(Located(n, Charge(s.size() * static_cast<size_t>(times))));
    std::string out;
    out.reserve(s.size() * static_cast<size_t>(times));
    for (int64_t i = 0; i < times; ++i) out += s;
    return Value::String(std::move(out));
  }
  if (a.is_string() && b.is_string() && (op == "<" || op == ">" || op == "<=" || op == ">=")) {
    const int c = a.str().compare(b.str());
    return Value::Bool(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
  }
  return ErrorAt(n, "unsupported operand types for '" + op + "': " + a.TypeName() + " and " +
                        b.TypeName());
}

Result<Value> Interpreter::EvalArithmetic(const Node& n, const Value& a, const Value& b) {
  const std::string& op = n.str;
  const bool is_float = a.kind() == Value::Kind::kFloat || b.kind() == Value::Kind::kFloat;
  const double x = a.number(), y = b.number();
  if (op == "<") return Value::Bool(x < y);
  if (op == ">") return Value::Bool(x > y);
  if (op == "<=") return Value::Bool(x <= y);
  if (op == ">=") return Value::Bool(x >= y);
  if (!is_float) {
    const int64_t i = a.kind() == Value::Kind::kBool ? a.bool_value() : a.int_value();
    const int64_t j = b.kind() == Value::Kind::kBool ? b.bool_value() : b.int_value();
    int64_t r = 0;
    if (op == "+" || op == "-" || op == "*") {
      const bool overflow = op == "+"   ? __builtin_add_overflow(i, j, &r)
                            : op == "-" ? __builtin_sub_overflow(i, j, &r)
                                        : __builtin_mul_overflow(i, j, &r);
      if (overflow) return ErrorAt(n, "integer overflow in '" + op + "'");
      return Value::Int(r);
    }
    if (op == "//" || op == "%") {
      if (j == 0) return ErrorAt(n, "division by zero");
      if (i == std::numeric_limits<int64_t>::min() && j == -1) {
        return ErrorAt(n, "integer overflow in '" + op + "'");
      }
      if (op == "%") return Value::Int(i % j);  // JavaScript: sign of the dividend
      int64_t q = i / j;
      if ((i % j != 0) && ((i < 0) != (j < 0))) --q;
      return Value::Int(q);
    }
    if (op == "**" && j >= 0) {
      int64_t acc = 1;
      for (int64_t k = 0; k < j; ++k) {
        if (__builtin_mul_overflow(acc, i, &acc)) {
          return ErrorAt(n, "integer overflow in '**'");
        }
        if (acc == 0 || acc == 1) break;
      }
      if (acc == 1 && i == -1 && (j % 2 == 1)) acc = -1;
      return Value::Int(acc);
    }
  }
  if (op == "+") return Value::Float(x + y);
  if (op == "-") return Value::Float(x - y);
  if (op == "*") return Value::Float(x * y);
  if (op == "/") {
    if (y == 0) return ErrorAt(n, "division by zero");
    return Value::Float(x / y);
  }
  if (op == "//") {
    if (y == 0) return ErrorAt(n, "division by zero");
    return Value::Float(std::floor(x / y));
  }
  if (op == "%") {
    if (y == 0) return ErrorAt(n, "division by zero");
    return Value::Float(std::fmod(x, y));
  }
  if (op == "**") {
    if (x == 0 && y < 0) return ErrorAt(n, "0.0 cannot be raised to a negative power");
    const double r = std::pow(x, y);
    if (!std::isfinite(r)) return ErrorAt(n, "'**' result is not a finite real number");
    return Value::Float(r);
  }
  return ErrorAt(n, "unsupported operand types for '" + op + "': " + a.TypeName() + " and " +
                        b.TypeName());
}

}  // namespace miaotui::tmpl
