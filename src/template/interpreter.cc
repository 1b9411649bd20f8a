#include "template/interpreter.h"

#include <cmath>
#include <limits>

#include "template/text.h"

namespace miaotui::tmpl {

const Value* Scope::Lookup(const std::string& name) const {
  for (const Scope* s = this; s != nullptr; s = s->parent) {
    auto it = s->vars.find(name);
    if (it != s->vars.end()) return &it->second;
  }
  return nullptr;
}

Interpreter::Interpreter() = default;

Interpreter::~Interpreter() {
  // Namespaces are the only mutable values, so every reference cycle runs through one.
  for (auto& ns : namespaces_) ns->items.clear();
}

Status Interpreter::ErrorAt(const Node& n, const std::string& message) const {
  return InvalidArgument("template line " + std::to_string(n.line) + ": " + message);
}

Status Interpreter::Located(const Node& n, const Status& s) const {
  if (s.ok() || raised_ || s.message().rfind("template line ", 0) == 0) return s;
  return Status(s.code(), "template line " + std::to_string(n.line) + ": " + s.message());
}

Status Interpreter::Raise(std::string message) {
  raised_ = true;
  return InvalidArgument(std::move(message));
}

Status Interpreter::Charge(size_t bytes) {
  if (bytes > kMaxOutputBytes) {
    return ResourceExhausted("string longer than " + std::to_string(kMaxOutputBytes) + " bytes");
  }
  work_bytes_ += bytes;
  if (work_bytes_ > kMaxWorkBytes) {
    return ResourceExhausted("template built more than " + std::to_string(kMaxWorkBytes) +
                             " bytes of strings");
  }
  return Status::Ok();
}

std::shared_ptr<Dict> Interpreter::NewNamespace() {
  namespaces_.push_back(std::make_shared<Dict>());
  return namespaces_.back();
}

Result<std::string> Interpreter::Render(const NodeList& program, Scope* globals) {
  std::string out;
  MT_RETURN_IF_ERROR(ExecBlock(program, globals, &out));
  flow_ = Flow::kNormal;
  for (auto& ns : namespaces_) ns->items.clear();
  namespaces_.clear();
  return out;
}

Status Interpreter::Emit(const Node& n, const std::string& text, std::string* out) {
  if (out->size() + text.size() > kMaxOutputBytes) {
    return Status(StatusCode::kResourceExhausted,
                  "template line " + std::to_string(n.line) + ": output larger than " +
                      std::to_string(kMaxOutputBytes) + " bytes");
  }
  out->append(text);
  return Status::Ok();
}

Status Interpreter::ExecBlock(const NodeList& block, Scope* scope, std::string* out) {
  for (const auto& n : block) {
    MT_RETURN_IF_ERROR(Exec(*n, scope, out));
    if (flow_ != Flow::kNormal) break;
  }
  return Status::Ok();
}

Status Interpreter::Exec(const Node& n, Scope* scope, std::string* out) {
  switch (n.kind) {
    case NodeKind::kText: return Emit(n, n.str, out);
    case NodeKind::kOutput: {
      MT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids[0], scope));
      if (v.is_undefined() || v.is_none()) return Status::Ok();
      auto text = RenderValue(v);
      if (!text.ok()) return Located(n, text.status());
      return Emit(n, *text, out);
    }
    case NodeKind::kIf: {
      MT_ASSIGN_OR_RETURN(Value cond, Eval(*n.kids[0], scope));
      return ExecBlock(cond.Truthy() ? n.body : n.alt, scope, out);
    }
    case NodeKind::kFor: return ExecFor(n, scope, out);
    case NodeKind::kSet: return ExecSet(n, scope);
    case NodeKind::kMacro:
      scope->vars[n.str] = MakeMacro(n, scope);
      return Status::Ok();
    case NodeKind::kCallBlock: return ExecCallBlock(n, scope, out);
    case NodeKind::kFilterBlock: {
      std::string body;
      MT_RETURN_IF_ERROR(ExecBlock(n.body, scope, &body));
      const Node& f = *n.kids[0];
      CallArgs args;
      MT_RETURN_IF_ERROR(EvalArgs(f.kids, 1, scope, &args));
      auto r = ApplyFilter(f.str, Value::String(std::move(body)), args);
      if (!r.ok()) return Located(f, r.status());
      auto text = RenderValue(*r);
      if (!text.ok()) return Located(n, text.status());
      return Emit(n, *text, out);
    }
    case NodeKind::kBreak: flow_ = Flow::kBreak; return Status::Ok();
    case NodeKind::kContinue: flow_ = Flow::kContinue; return Status::Ok();
    default: return ErrorAt(n, "expression used as a statement");
  }
}

namespace {

Status Bind(const Node& target, const Value& v, Scope* scope) {
  if (target.kind == NodeKind::kName) {
    scope->vars[target.str] = v;
    return Status::Ok();
  }
  if (!v.is_list()) {
    return InvalidArgument("cannot unpack a " + v.TypeName() + " into " +
                           std::to_string(target.kids.size()) + " names");
  }
  if (v.list().size() != target.kids.size()) {
    return InvalidArgument("cannot unpack " + std::to_string(v.list().size()) + " values into " +
                           std::to_string(target.kids.size()) + " names");
  }
  for (size_t i = 0; i < target.kids.size(); ++i) {
    scope->vars[target.kids[i]->str] = v.list()[i];
  }
  return Status::Ok();
}

}  // namespace

Status Interpreter::ExecFor(const Node& n, Scope* scope, std::string* out) {
  Scope loop_scope;
  loop_scope.parent = scope;
  MT_ASSIGN_OR_RETURN(Value iterable, Eval(*n.kids[1], &loop_scope));
  List items;
  switch (iterable.kind()) {
    case Value::Kind::kList: items = iterable.list(); break;
    case Value::Kind::kDict:
      for (const auto& [k, v] : iterable.dict().items) items.push_back(Value::String(k));
      break;
    case Value::Kind::kString:
      for (auto& cp : SplitCodePoints(iterable.str())) items.push_back(Value::String(cp));
      break;
    case Value::Kind::kUndefined: break;
    default: return ErrorAt(n, "'for' cannot iterate over a " + iterable.TypeName());
  }
  const Node& target = *n.kids[0];
  if (n.kids[2]) {
    List kept;
    for (const Value& item : items) {
      Scope test_scope;
      test_scope.parent = &loop_scope;
      MT_RETURN_IF_ERROR(Located(n, Bind(target, item, &test_scope)));
      MT_ASSIGN_OR_RETURN(Value keep, Eval(*n.kids[2], &test_scope));
      if (keep.Truthy()) kept.push_back(item);
    }
    items = std::move(kept);
  }
  bool ran = false;
  const int64_t len = static_cast<int64_t>(items.size());
  for (int64_t i = 0; i < len; ++i) {
    if (++iterations_ > kMaxLoopIterations) {
      return Status(StatusCode::kResourceExhausted,
                    "template line " + std::to_string(n.line) + ": more than " +
                        std::to_string(kMaxLoopIterations) + " loop iterations");
    }
    Dict loop;
    loop.items.reserve(9);
    loop.Set("index", Value::Int(i + 1));
    loop.Set("index0", Value::Int(i));
    loop.Set("revindex", Value::Int(len - i));
    loop.Set("revindex0", Value::Int(len - i - 1));
    loop.Set("first", Value::Bool(i == 0));
    loop.Set("last", Value::Bool(i == len - 1));
    loop.Set("length", Value::Int(len));
    loop.Set("previtem", i > 0 ? items[i - 1] : Value());
    loop.Set("nextitem", i + 1 < len ? items[i + 1] : Value());
    loop_scope.vars["loop"] = Value::MakeDict(std::move(loop));
    MT_RETURN_IF_ERROR(Located(n, Bind(target, items[i], &loop_scope)));
    MT_RETURN_IF_ERROR(ExecBlock(n.body, &loop_scope, out));
    if (flow_ == Flow::kBreak) {
      flow_ = Flow::kNormal;
      break;
    }
    if (flow_ == Flow::kContinue) {
      flow_ = Flow::kNormal;
      continue;
    }
    ran = true;
  }
  if (!ran) MT_RETURN_IF_ERROR(ExecBlock(n.alt, &loop_scope, out));
  return Status::Ok();
}

Status Interpreter::ExecSet(const Node& n, Scope* scope) {
  Value v;
  if (n.kids[1]) {
    MT_ASSIGN_OR_RETURN(v, Eval(*n.kids[1], scope));
  } else {
    std::string body;
    MT_RETURN_IF_ERROR(ExecBlock(n.body, scope, &body));
    v = Value::String(std::move(body));
  }
  const Node& target = *n.kids[0];
  if (target.kind == NodeKind::kAttribute) {
    const Value* obj = scope->Lookup(target.kids[0]->str);
    if (!obj || obj->kind() != Value::Kind::kNamespace) {
      return ErrorAt(n, "cannot assign attribute '" + target.str + "' on '" +
                            target.kids[0]->str + "', which is not a namespace");
    }
    obj->shared_dict()->Set(target.str, std::move(v));
    return Status::Ok();
  }
  return Located(n, Bind(target, v, scope));
}

Value Interpreter::MakeMacro(const Node& n, Scope* defining_scope) {
  const Node* macro = &n;
  (void)defining_scope;
  return Value::Function(n.str, [this, macro](Interpreter&, const CallArgs& args) {
    return CallMacro(*macro, macro->kids, 0, current_scope_, args);
  });
}

Result<Value> Interpreter::CallMacro(const Node& macro, const NodeList& params,
                                     size_t first_param, Scope* parent, const CallArgs& args) {
  if (call_depth_ >= kMaxCallDepth) {
    return ErrorAt(macro, "macro calls nested deeper than " + std::to_string(kMaxCallDepth) +
                              " (recursive macro?)");
  }
  Scope local;
  local.parent = parent;
  const size_t nparams = params.size() - first_param;
  std::vector<bool> used_kw(args.keywords.size(), false);
  for (size_t i = 0; i < nparams; ++i) {
    const Node& p = *params[first_param + i];
    const Value* v = i < args.positional.size() ? &args.positional[i] : nullptr;
    for (size_t k = 0; !v && k < args.keywords.size(); ++k) {
      if (args.keywords[k].first == p.str) {
        v = &args.keywords[k].second;
        used_kw[k] = true;
      }
    }
    local.vars[p.str] = v ? *v : Value();
  }
  for (size_t i = 0; i < nparams; ++i) {
    const Node& p = *params[first_param + i];
    if (p.kind == NodeKind::kKeyword && local.vars[p.str].is_undefined()) {
      const bool given = i < args.positional.size();
      if (!given) {
        MT_ASSIGN_OR_RETURN(Value d, Eval(*p.kids[0], &local));
        local.vars[p.str] = std::move(d);
      }
    }
  }
  List varargs;
  for (size_t i = nparams; i < args.positional.size(); ++i) varargs.push_back(args.positional[i]);
  Dict kwargs;
  for (size_t k = 0; k < args.keywords.size(); ++k) {
    if (!used_kw[k]) kwargs.Set(args.keywords[k].first, args.keywords[k].second);
  }
  local.vars["varargs"] = Value::MakeList(std::move(varargs));
  local.vars["kwargs"] = Value::MakeDict(std::move(kwargs));
  ++call_depth_;
  std::string out;
  Status s = ExecBlock(macro.body, &local, &out);
  --call_depth_;
  flow_ = Flow::kNormal;
  MT_RETURN_IF_ERROR(s);
  return Value::String(std::move(out));
}

Status Interpreter::ExecCallBlock(const Node& n, Scope* scope, std::string* out) {
  Scope with_caller;
  with_caller.parent = scope;
  const Node* block = &n;
  with_caller.vars["caller"] =
      Value::Function("caller", [this, block, scope](Interpreter&, const CallArgs& args) {
        return CallMacro(*block, block->kids, 1, scope, args);
      });
  MT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids[0], &with_caller));
  if (v.is_undefined() || v.is_none()) return Status::Ok();
  auto text = RenderValue(v);
  if (!text.ok()) return Located(n, text.status());
  return Emit(n, *text, out);
}

}  // namespace miaotui::tmpl
