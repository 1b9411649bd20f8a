// The syntax tree of a parsed template. One node type; `kind` says which fields matter.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace miaotui::tmpl {

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

enum class NodeKind {
  // Statements.
  kText,         // str
  kOutput,       // {{ kids[0] }}
  kIf,           // kids[0] condition; body; alt (else / elif chain)
  kFor,          // kids[0] target (kName or kTuple), kids[1] iterable, kids[2] filter or null
  kSet,          // kids[0] target, kids[1] value (null: block set capturing body)
  kMacro,        // str name; kids params (kName, or kKeyword with a default); body
  kCallBlock,    // kids[0] call expression, kids[1..] caller params; body
  kFilterBlock,  // kids[0] filter expression whose operand is null; body
  kBreak,
  kContinue,
  // Expressions.
  kInt,          // ival
  kFloat,        // fval
  kString,       // str
  kName,         // str
  kList,         // kids
  kTuple,        // kids
  kDict,         // kids: key0, value0, key1, value1, ...
  kAttribute,    // kids[0].str
  kIndex,        // kids[0][kids[1]]
  kSlice,        // kids[0][kids[1]:kids[2]:kids[3]] (any of 1..3 may be null)
  kCall,         // kids[0](kids[1..]); keyword arguments are kKeyword
  kKeyword,      // str = kids[0]
  kFilter,       // kids[0] | str(kids[1..])
  kTest,         // kids[0] is [not] str(kids[1..]); negate
  kUnary,        // str in {"not", "-", "+"}; kids[0]
  kBinary,       // kids[0] str kids[1]; str in {"and", "or", "in", "not in", "==", "+", ...}
  kTernary,      // kids[1] if kids[0] else kids[2] (kids[2] null: undefined when false)
};

struct Node {
  NodeKind kind;
  int line = 0;
  std::string str;
  int64_t ival = 0;
  double fval = 0;
  bool negate = false;
  int depth = 1;  // height of this subtree, bounded by the parser
  NodeList kids;
  NodeList body;
  NodeList alt;
};

}  // namespace miaotui::tmpl
