// Runtime values of the chat-template interpreter: undefined, none, bool, int, float, string,
// list, dict (insertion-ordered), namespace and function (macros and built-ins).
//
// Semantics follow @huggingface/jinja 0.5.x, the reference transformers.js uses for
// apply_chat_template: values render the way it renders them (true -> "true", none -> "",
// 1.0 -> "1.0", lists and dicts as JSON), truthiness is Python's, `==` is its loose equality.
// Lists and dicts are immutable once built; only namespaces are mutated (by `set ns.x = ...`),
// so every reference cycle passes through a namespace (see Interpreter, which breaks them).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace miaotui::tmpl {

class Value;
class Interpreter;

using List = std::vector<Value>;

// Insertion-ordered string-keyed map (small; linear lookup is fine for chat messages).
struct Dict {
  std::vector<std::pair<std::string, Value>> items;
  const Value* Find(std::string_view key) const;
  void Set(const std::string& key, Value value);
};

// Arguments of a call: positional values, then keyword arguments in source order.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keywords;
  // The keyword `name`, or positional[index] when there is one, or nullptr.
  const Value* Get(size_t index, std::string_view name) const;
};

using NativeFunction = std::function<Result<Value>(Interpreter&, const CallArgs&)>;

class Value {
 public:
  enum class Kind { kUndefined, kNone, kBool, kInt, kFloat, kString, kList, kDict, kNamespace,
                    kFunction };

  Value() = default;  // undefined
  static Value None();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double f);
  static Value String(std::string s);
  static Value MakeList(List items);
  static Value MakeDict(Dict dict);
  static Value MakeNamespace(std::shared_ptr<Dict> dict);
  static Value Function(std::string name, NativeFunction fn);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kFloat; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_mapping_like() const { return kind_ == Kind::kDict || kind_ == Kind::kNamespace; }

  bool bool_value() const { return b_; }
  int64_t int_value() const { return i_; }
  double number() const { return kind_ == Kind::kFloat ? f_ : kind_ == Kind::kBool ? b_ : i_; }
  const std::string& str() const { return *s_; }
  const List& list() const { return *list_; }
  const Dict& dict() const { return *dict_; }         // dict or namespace
  const std::shared_ptr<Dict>& shared_dict() const { return dict_; }
  const std::string& function_name() const { return fn_->name; }
  const NativeFunction& function() const { return fn_->fn; }

  // Python truthiness: empty string/list/dict, 0, false, none and undefined are false.
  bool Truthy() const;
  // Identity for lists/dicts/namespaces/functions, value for scalars (JavaScript `===`).
  bool StrictEquals(const Value& other) const;
  // The reference's `==` (JavaScript `==` on the underlying values).
  bool LooseEquals(const Value& other) const;
  // A short type name for error messages ("string", "list", "undefined", ...).
  std::string TypeName() const;

 private:
  struct Fn {
    std::string name;
    NativeFunction fn;
  };
  Kind kind_ = Kind::kUndefined;
  bool b_ = false;
  int64_t i_ = 0;
  double f_ = 0;
  std::shared_ptr<const std::string> s_;
  std::shared_ptr<const List> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<const Fn> fn_;
};

// Formats a double the way JavaScript's Number#toString does ("1", "0.1", "1e+21", "NaN").
std::string JsNumberToString(double d);
// The text a value renders as in `{{ }}` (floats keep ".0"; lists/dicts as JSON).
// Fails only on nesting deeper than the limit (for example a namespace that contains itself).
Result<std::string> RenderValue(const Value& v);
// The text `+` / `~` concatenation uses for a value (JavaScript String(value)).
Result<std::string> ConcatText(const Value& v);

}  // namespace miaotui::tmpl
