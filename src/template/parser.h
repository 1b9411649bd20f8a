// Parser: tokens -> syntax tree, following @huggingface/jinja's grammar and precedence
// (lowest first): `a if c else b`, or, and, not, comparisons / in / not in, + - ~, * / // %,
// **, `is` tests, `|` filters, unary + -, calls / attributes / subscripts, literals.
//
// Errors name the construct and the line: "template line 4: expected 'endfor' to close 'for'
// opened on line 2". Nesting deeper than kMaxNesting (blocks or expressions) is an error, so
// evaluating the tree can never overflow the stack.
#pragma once

#include <vector>

#include "base/status.h"
#include "template/ast.h"
#include "template/lexer.h"

namespace miaotui::tmpl {

inline constexpr int kMaxNesting = 200;

Result<NodeList> Parse(const std::vector<Token>& tokens);

}  // namespace miaotui::tmpl
