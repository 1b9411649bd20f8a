// Evaluates a parsed template against a context, the way @huggingface/jinja renders chat
// templates (see value.h for value semantics).
//
// Scoping: the context and top-level `set`s share the global scope; a for loop body and a
// macro call get their own scope (a macro sees its caller's scope). Undefined names are
// Undefined: falsy, render as "", `is defined` is false, attributes of them are Undefined.
//
// Limits, so that no template can crash or hang the process: output and string results up to
// kMaxOutputBytes, kMaxLoopIterations loop iterations and kMaxWorkBytes bytes of string
// building per render, macro calls nested kMaxCallDepth deep. Passing one is an error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "template/ast.h"
#include "template/value.h"

namespace miaotui::tmpl {

inline constexpr size_t kMaxOutputBytes = size_t{16} << 20;
inline constexpr size_t kMaxWorkBytes = size_t{256} << 20;
inline constexpr int64_t kMaxLoopIterations = 1000000;
inline constexpr int kMaxCallDepth = 64;

struct Scope {
  std::unordered_map<std::string, Value> vars;
  Scope* parent = nullptr;
  const Value* Lookup(const std::string& name) const;
};

class Interpreter {
 public:
  Interpreter();
  ~Interpreter();

  // Renders `program` with `globals` (the context) into a string. raise_exception(msg) fails
  // with exactly `msg`; every other error is "template line N: ...".
  Result<std::string> Render(const NodeList& program, Scope* globals);

  // ---- used by the built-ins (builtins.cc) ----
  Status Raise(std::string message);  // raise_exception
  // Counts bytes of string building against kMaxWorkBytes.
  Status Charge(size_t bytes);
  std::shared_ptr<Dict> NewNamespace();
  Result<Value> ApplyFilter(const std::string& name, const Value& operand, const CallArgs& args);
  Result<bool> ApplyTest(const std::string& name, const Value& operand, const CallArgs& args);

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  Status ExecBlock(const NodeList& block, Scope* scope, std::string* out);
  Status Exec(const Node& n, Scope* scope, std::string* out);
  Status ExecFor(const Node& n, Scope* scope, std::string* out);
  Status ExecSet(const Node& n, Scope* scope);
  Status ExecCallBlock(const Node& n, Scope* scope, std::string* out);
  Status Emit(const Node& n, const std::string& text, std::string* out);

  Result<Value> Eval(const Node& n, Scope* scope);
  Result<Value> EvalBinary(const Node& n, Scope* scope);
  Result<Value> EvalArithmetic(const Node& n, const Value& a, const Value& b);
  Result<Value> EvalCall(const Node& n, Scope* scope);
  Result<Value> EvalAttribute(const Node& n, const Value& obj, const std::string& name);
  Result<Value> EvalIndex(const Node& n, const Value& obj, const Value& key);
  Result<Value> EvalSlice(const Node& n, Scope* scope);
  Status EvalArgs(const NodeList& kids, size_t first, Scope* scope, CallArgs* args);
  Value MakeMacro(const Node& n, Scope* defining_scope);
  Result<Value> CallMacro(const Node& macro, const NodeList& params, size_t first_param,
                          Scope* parent, const CallArgs& args);

  // Adds "template line N: " unless the status already names a line or is a raise.
  Status Located(const Node& n, const Status& s) const;
  Status ErrorAt(const Node& n, const std::string& message) const;

  Flow flow_ = Flow::kNormal;
  bool raised_ = false;
  int call_depth_ = 0;
  int64_t iterations_ = 0;
  size_t work_bytes_ = 0;
  std::vector<std::shared_ptr<Dict>> namespaces_;
  Scope* current_scope_ = nullptr;  // the caller's scope while a function is called
};

// Method calls on values: str.strip(), dict.get(), dict.items(), ... Unknown methods fail.
Result<Value> CallMethod(Interpreter& in, const Value& obj, const std::string& name,
                         const CallArgs& args);
// The global functions: range, namespace, raise_exception, strftime_now, dict, ...
void InstallGlobals(Scope* scope);

}  // namespace miaotui::tmpl
